"""The teacher's Class page through AppTest: hand-in, the key, the class, the challenge."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from runs.scheduler import get_scheduler

from .test_lessons_page import open_lessons, tiny_lessons  # noqa: F401 (a fixture)
from .test_pages import texts
from .test_workspace_page import database_away, open_app, trained

KEY = "s3cret key"


@pytest.fixture
def teacher_key(monkeypatch):
    monkeypatch.setenv("MNIST_LAB_TEACHER_KEY", KEY)


def hand_in(at: AppTest, nickname: str) -> None:
    at.text_input(key="train_handin_nickname").input(nickname)
    at.button(key="train_handin_button").click().run()


def class_page(key: str | None = None) -> AppTest:
    at = open_app(page="pages/class_view.py")
    if key is not None:
        at.text_input[0].input(key)
        at.button[0].click().run()
    return at


def tables(at: AppTest) -> str:
    return "\n".join(str(df.value.to_dict("records")) for df in at.dataframe)


def test_the_teacher_sees_both_students_hand_ins_and_a_student_sees_none(teacher_key):
    ada, bob = open_app(), open_app()
    ada_run, bob_run = trained(ada), trained(bob)
    hand_in(ada, "Ada <b>L</b>")
    assert "Handed in as Ada" in texts(ada)
    hand_in(bob, "bob")
    student = class_page()  # no key: nothing of the class
    assert ada_run not in tables(student) and "only with the key" in texts(student)
    wrong = class_page("not it")
    assert "not the teacher's key" in texts(wrong) and ada_run not in tables(wrong)
    teacher = class_page(KEY)
    shown = tables(teacher)
    assert ada_run in shown and bob_run in shown and "Ada <b>L</b>" in shown  # as text
    assert not teacher.exception


def test_a_nickname_that_cannot_be_shown_is_refused_and_nothing_is_handed_in(teacher_key):
    at = open_app()
    run_id = trained(at)
    hand_in(at, "   ")
    assert "Not handed in: give a nickname" in texts(at)
    assert run_id not in tables(class_page(KEY))


def test_without_a_teachers_key_there_is_no_class_page_and_no_hand_in(monkeypatch):
    monkeypatch.delenv("MNIST_LAB_TEACHER_KEY", raising=False)
    at = open_app()
    trained(at)
    assert not [b for b in at.button if b.key == "train_handin_button"]
    assert "Class" not in [p["title"] for p in _pages(at)]


def test_the_challenge_ranks_runs_within_its_limits_and_shows_to_students(teacher_key):
    ada = open_app()
    trained(ada)  # 20 hidden units, 1 iteration
    hand_in(ada, "ada")
    teacher = class_page(KEY)
    teacher.number_input(key="ch_hidden").set_value(
        10
    )  # at most 10 hidden units: ada's run does not count
    teacher.checkbox(key="ch_show").check()  # shown to students
    teacher.button(key="FormSubmitter:challenge-Set the challenge").click().run()
    assert "at most 10 hidden units" in texts(teacher)
    student = class_page()
    assert "at most 10 hidden units" in texts(student) and "ada" not in tables(student)
    teacher.number_input(key="ch_hidden").set_value(0)
    teacher.button(key="FormSubmitter:challenge-Set the challenge").click().run()
    assert "'nickname': 'ada'" in tables(class_page())
    teacher.checkbox(key="ch_show").uncheck()  # as it was, for the other tests
    teacher.button(key="FormSubmitter:challenge-Set the challenge").click().run()


def _pages(at: AppTest) -> list[dict]:
    nav = at.get("navigation")
    return [{"title": p.page_name} for p in nav[0].proto.app_pages] if nav else []


def test_the_class_page_says_the_database_is_away_instead_of_failing(teacher_key, monkeypatch):
    import sqlalchemy as sa

    from runs.classroom import Challenge
    from runs.store import Store
    from ui import teacher

    def away(self):
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(Store, "handed_in", away)  # the database behind the scheduler
    monkeypatch.setattr(teacher, "challenge", lambda: Challenge(show_students=True))
    for at in (class_page(KEY), class_page()):  # the teacher's view; the students' leaderboard
        assert not at.exception
        assert any("The database is away" in e.value for e in at.error)


@pytest.mark.usefixtures("tiny_lessons")
def test_a_lessons_runs_handed_in_show_as_that_lesson_across_the_class(teacher_key):
    at = open_lessons(lesson="tiny")
    at.button(key="lessons_start").click().run()
    deadline = time.monotonic() + 120
    while not at.success:
        assert time.monotonic() < deadline, "the lesson did not finish"
        time.sleep(0.3)
        at.run()
    at.text_input(key="lesson_tiny_handin_nickname").input("ada")
    at.button(key="lesson_tiny_handin_button").click().run()
    assert any("Handed in as ada" in s.value for s in at.success)
    teacher = class_page(KEY)
    (chart,) = [c for c in teacher.get("plotly_chart") if "class_lesson_tiny" in c.proto.id]
    names = [trace["name"] for trace in json.loads(chart.proto.spec)["data"]]
    assert names == ["lr 0.01", "lr 0.5"]


def test_class_mode_shows_the_note_hides_the_data_choices_and_other_lessons(teacher_key):
    teacher = class_page(KEY)
    teacher.multiselect(key="cm_lessons").set_value(["scaling"])
    teacher.checkbox(key="cm_lock").check()
    teacher.text_input(key="cm_note").input("Today: lesson 1")
    teacher.button(key="FormSubmitter:class_mode-Set class mode").click().run()
    try:
        home = open_app()
        assert any("Today: lesson 1" in i.value.replace("\\", "") for i in home.info)
        assert not [b for b in home.button if b.key == "download"]
        assert not home.get("file_uploader")
        lessons_page = open_app(page="pages/lessons.py")
        assert lessons_page.selectbox(key="lessons_choice").options == [
            "Raw pixels, [0, 1] or standardized?"
        ]
    finally:
        teacher.multiselect(key="cm_lessons").set_value([])
        teacher.checkbox(key="cm_lock").uncheck()
        teacher.button(key="FormSubmitter:class_mode-Set class mode").click().run()


def test_a_hand_in_while_the_database_is_away_says_so_and_is_kept(teacher_key, monkeypatch):
    at = open_app()
    run_id = trained(at)
    writer = get_scheduler().store
    with monkeypatch.context() as away:
        database_away(writer, away, "connection refused (postgresql://lab@db/lab)")
        hand_in(at, "ada")
        text = texts(at)
        assert "Could not be handed in yet" in text and "connection refused" in text
        assert "kept and retried" in text
        assert run_id not in tables(class_page(KEY))
    assert writer.flush(10)  # the database is back: the kept hand-in is written
    assert run_id in tables(class_page(KEY))


def test_the_teacher_sees_each_run_under_the_nickname_it_was_handed_in_under(teacher_key):
    at = open_app()
    first = trained(at)
    hand_in(at, "Ana")
    second = trained(at)
    hand_in(at, "Ana again")
    rows = {r["run"]: r["nickname"] for r in class_page(KEY).dataframe[0].value.to_dict("records")}
    assert rows[first] == "Ana" and rows[second] == "Ana again"
