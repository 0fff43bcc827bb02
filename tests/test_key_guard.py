"""Guessing the teacher's key: per browser, paced for the class, never locking the teacher out."""

from __future__ import annotations

import pytest
import streamlit as st

from ui.key_guard import ClassPace, Throttle, key_problem, seconds_in_words

from .test_class_page import KEY, class_page
from .test_pages import texts


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_wait_under_a_second_is_said_as_one_second_never_zero():
    assert seconds_in_words(0.2) == "1 s" and seconds_in_words(0.0) == "1 s"
    assert seconds_in_words(2.0) == "2 s" and seconds_in_words(2.01) == "3 s"


def test_a_key_shorter_than_twelve_characters_is_refused_naming_its_length():
    assert "7 characters long" in key_problem("abc1234") and "at least 12" in key_problem("x" * 11)
    assert key_problem("x" * 12) is None and key_problem("") is None  # no key: no Class page


def test_one_browsers_wrong_keys_never_slow_another_browser():
    clock = FakeClock()
    t = Throttle(clock=clock)
    for _ in range(10):
        t.attempt("student", right=False)
    assert t.wait_left("student") > 0
    assert t.attempt("teacher", right=True) == 0


def test_the_class_pace_spaces_checks_and_never_refuses_one():
    clock = FakeClock()
    pace = ClassPace(per_second=4, clock=clock, sleep=clock.sleep)
    waited = [pace.turn() for _ in range(9)]  # one after another, as fast as they come
    assert waited == pytest.approx([0.0] + [0.25] * 8)  # each waited its turn, none refused
    assert clock.now == pytest.approx(100.0 + 8 * 0.25)  # 9 checks took 2 s: 4 a second
    clock.now += 10  # a quiet class: the next check is at once
    assert pace.turn() == 0


def test_the_class_pace_makes_parallel_checks_wait_their_turn():
    clock = FakeClock()
    slept = []
    pace = ClassPace(per_second=2, clock=clock, sleep=slept.append)  # the clock stands still
    waits = [pace.turn() for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.5, 1.0, 1.5]) and slept == pytest.approx(waits[1:])


@pytest.fixture
def one_address_for_everyone(monkeypatch):
    """Every browser seen from one address (a class behind NAT, nginx on another host)."""
    monkeypatch.setenv("MNIST_LAB_TEACHER_KEY", KEY)
    monkeypatch.setattr(type(st.context), "ip_address", property(lambda self: "10.0.0.7"))


def test_a_students_wrong_keys_from_the_teachers_address_never_refuse_the_teachers_key(
    one_address_for_everyone,
):
    student = class_page()
    for _ in range(6):
        student.text_input[0].input("guess").run()
        student.button[0].click().run()
    assert "Too many wrong keys" in texts(student)
    teacher = class_page(KEY)
    assert "Too many wrong keys" not in texts(teacher) and "not the teacher" not in texts(teacher)
    assert not teacher.exception


def test_a_weak_teachers_key_is_refused_at_start_up_with_one_sentence(monkeypatch):
    monkeypatch.setenv("MNIST_LAB_TEACHER_KEY", "short")
    from ui import server

    server.start_up_problem.cache_clear()
    try:
        at = class_page()
        assert "MNIST_LAB_TEACHER_KEY is 5 characters long" in texts(at) and not at.exception
    finally:
        server.start_up_problem.cache_clear()
