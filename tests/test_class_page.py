"""The teacher's Class page through AppTest: hand-in, the key, the class, the challenge."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from .test_pages import texts
from .test_workspace_page import open_app, trained

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


def _pages(at: AppTest) -> list[dict]:
    nav = at.get("navigation")
    return [{"title": p.page_name} for p in nav[0].proto.app_pages] if nav else []


def test_the_class_page_says_the_database_is_away_instead_of_failing(teacher_key, monkeypatch):
    import sqlalchemy as sa

    from ui import state

    def away():
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(state, "handed_in_runs", away)
    at = class_page(KEY)
    assert not at.exception
    assert any("The database is away" in e.value for e in at.error)
