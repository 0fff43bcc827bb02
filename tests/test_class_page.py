"""The teacher's Class page through AppTest: hand-in, the key, the class, the challenge."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from runs.scheduler import get_scheduler
from ui import class_board

from .test_lessons_page import open_lessons, tiny_lessons  # noqa: F401 (a fixture)
from .test_pages import texts
from .test_workspace_page import database_away, open_app, trained

KEY = "s3cret key of the class"  # 12 characters at least (a shorter one is refused)


@pytest.fixture
def teacher_key(monkeypatch):
    monkeypatch.setenv("MNIST_LAB_TEACHER_KEY", KEY)


def hand_in(at: AppTest, nickname: str) -> None:
    at.text_input(key="train_handin_nickname").input(nickname)
    at.button(key="train_handin_button").click().run()


def class_page(key: str | None = None) -> AppTest:
    class_board.clear()  # the page as a refresh draws it now (its fetch is shared a few s)
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

    from runs.challenge import Challenge
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
    (line,) = json.loads(chart.proto.spec)["data"]  # one line per student, across the runs
    assert line["name"].startswith("ada") and line["x"] == ["lr 0.01", "lr 0.5"]
    assert any("1 of 1 students found" in m.value for m in teacher.markdown)


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


def test_a_refresh_of_the_class_page_costs_one_query_for_the_hand_ins_however_many(teacher_key):
    """One query per refresh per page, not per run: counted on the store's engine."""
    import sqlalchemy as sa

    engine = get_scheduler().store.store.engine  # a test may look inside; pages never do
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_):
        statements.append(statement)

    at = open_app()
    hand_in_count = []
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(2):
            trained(at)
            hand_in(at, "ada")
            statements.clear()
            teacher = class_page(KEY)
            statements.clear()
            class_board.clear()  # the next refresh asks the database again
            teacher.run()  # a refresh, as the fragment's timer makes it
            assert not teacher.exception
            class_reads = [s for s in statements if "handins" in s or "reports" in s]
            hand_in_count.append(class_reads)  # hand-ins, or each run's reports: one query
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert [len(found) for found in hand_in_count] == [1, 1], hand_in_count


def test_a_hand_in_breaking_the_challenge_is_told_which_rule(teacher_key):
    teacher = class_page(KEY)
    teacher.number_input(key="ch_hidden").set_value(10)
    teacher.button(key="FormSubmitter:challenge-Set the challenge").click().run()
    try:
        at = open_app()
        trained(at)  # 20 hidden units
        hand_in(at, "ada")
        said = " ".join(w.value for w in at.warning)
        assert "does not count for the challenge: hidden units 20 > 10" in said
    finally:
        teacher.number_input(key="ch_hidden").set_value(0)
        teacher.button(key="FormSubmitter:challenge-Set the challenge").click().run()


def test_servers_holding_different_data_are_named_on_the_class_page(teacher_key):
    from runs import deployment

    now = time.time()
    entries = {
        "one": deployment.data_entry("Full MNIST, 60,000 / 10,000", "aaa", "lab1:8501", now),
        "two": deployment.data_entry("Bundled sample, 10,000 / 2,000", "bbb", "lab2:8501", now),
    }
    get_scheduler().set_class_setting(deployment.DATA_SETTING, entries)
    try:
        class_board._servers_data.clear()
        said = " ".join(w.value for w in class_page(KEY).warning).replace("\\", "")
        assert "The servers of this class differ" in said and "lab2:8501" in said
    finally:
        get_scheduler().set_class_setting(deployment.DATA_SETTING, {})
        class_board._servers_data.clear()


def test_students_see_the_private_scores_once_the_teacher_closes_the_challenge(
    teacher_key, monkeypatch, tmp_path
):
    from mlcore.data import SAMPLE_DIR, load_mnist
    from mlcore.idx import write_idx
    from ui import private

    data = load_mnist(SAMPLE_DIR)
    write_idx(tmp_path / "p-images-idx3-ubyte", data.X_test[:300].reshape(-1, 28, 28))
    write_idx(tmp_path / "p-labels-idx1-ubyte", data.y_test[:300])
    monkeypatch.setenv("MNIST_LAB_PRIVATE_DIR", str(tmp_path))
    private.split.clear()
    at = open_app()
    trained(at)
    hand_in(at, "ada")
    teacher = class_page(KEY)
    teacher.checkbox(key="ch_show").check()
    teacher.button(key="FormSubmitter:challenge-Set the challenge").click().run()
    try:
        assert "private accuracy (%)" not in tables(class_page())  # open: the public board
        teacher.checkbox(key="ch_closed").check()
        teacher.button(key="FormSubmitter:challenge-Set the challenge").click().run()
        student = class_page()
        assert "private accuracy (%)" in tables(student)
        assert any("ranked by the private split" in c.value for c in student.caption)
    finally:
        teacher.checkbox(key="ch_show").uncheck()
        teacher.checkbox(key="ch_closed").uncheck()
        teacher.button(key="FormSubmitter:challenge-Set the challenge").click().run()
        private.split.clear()
