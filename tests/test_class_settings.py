"""Stored class settings are read tolerantly and typed strictly; the Class page always opens."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest

from mlcore import lessons
from runs.challenge import Challenge
from runs.classroom import ClassMode
from runs.scheduler import get_scheduler
from ui import class_forms, teacher

from .test_class_page import KEY, class_page


def test_a_challenge_keeps_its_good_fields_and_drops_each_ill_typed_one():
    c = Challenge.from_dict({"max_hidden": 50, "max_iterations": "20", "show_students": "yes"})
    assert c == Challenge(max_hidden=50)
    assert Challenge.from_dict({"max_hidden": True, "max_iterations": 0}) == Challenge()
    assert Challenge.from_dict(["not", "a", "dict"]) == Challenge()


def test_class_mode_keeps_only_lesson_names_and_a_true_lock():
    mode = ClassMode.from_dict({"lessons": ["scaling", 3, None], "lock_data": 1, "note": 5})
    assert mode == ClassMode(lessons=("scaling",))
    assert ClassMode.from_dict("damaged") == ClassMode()


@pytest.fixture
def stored(monkeypatch):
    """Class settings written as another (older, damaged) app would; removed after."""
    monkeypatch.setenv("MNIST_LAB_TEACHER_KEY", KEY)
    scheduler = get_scheduler()

    def put(name: str, value: dict) -> None:
        scheduler.set_class_setting(name, value)
        teacher._setting.clear()

    yield put
    put("class_mode", ClassMode().as_dict())
    put("challenge", Challenge().as_dict())


def test_a_class_mode_naming_a_lesson_the_app_no_longer_has_leaves_the_class_page_working(
    stored,
):
    stored("class_mode", {"lessons": ["a-lesson-gone-since", "scaling"], "lock_data": True})
    stored("challenge", {"max_hidden": 20_000, "max_iterations": 5_000, "show_students": True})
    at = class_page(KEY)
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="cm_lessons").value == ["scaling"]
    assert at.number_input(key="ch_hidden").value == 10_000  # shown at the box's end


def test_the_class_page_offers_the_lessons_it_is_drawn_with_whatever_was_imported_before(
    monkeypatch,
):
    """The form reads its lessons from the page on each run: ui.class_forms first imported
    while a test had added a lesson (the suite's order decides) left the page crashing on a
    lesson without a title ("bad argument type for built-in operation")."""
    monkeypatch.setenv("MNIST_LAB_TEACHER_KEY", KEY)
    with monkeypatch.context() as patched:
        extra = replace(lessons.LESSONS[0], slug="added-by-a-test", title="Added")
        patched.setattr(lessons, "LESSONS", (extra, *lessons.LESSONS))
        importlib.reload(class_forms)  # its first import happens now
    try:
        at = class_page(KEY)
        assert not at.exception, [e.value for e in at.exception]
        assert at.multiselect(key="cm_lessons").options == [
            lesson.title for lesson in lessons.LESSONS
        ]
    finally:
        importlib.reload(class_forms)
