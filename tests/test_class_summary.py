"""The class at a glance: students in the order they came, each one's lesson finding in the
lesson's own words, and the lesson's conclusion across the class."""

from __future__ import annotations

from mlcore.train import Progress, TrainConfig
from runs.class_summary import findings, lesson_sentence, students
from runs.classroom import HandedIn


def lesson_run(nick: str, label: str, acc: float, at: float = 0.0) -> HandedIn:
    history = [Progress(2, 0, 0.3, 0.9, acc, 3.0, 0.05, done=True)]
    return HandedIn(f"{nick}-{label}", nick, f"ws-{nick}", TrainConfig(iterations=2), "full",
                    "finished", f"scaling: {label}", at, history)  # fmt: skip


def test_students_keep_the_order_they_first_handed_in():
    runs = [lesson_run("cy", "[0, 1]", 0.9), lesson_run("ada", "[0, 1]", 0.9),
            lesson_run("cy", "standardized", 0.95)]  # fmt: skip
    assert students(runs) == [("ws-cy", "cy"), ("ws-ada", "ada")]


def test_the_lesson_conclusion_across_the_class_counts_who_found_what():
    runs = []
    for i in range(3):  # three find standardized best
        runs += [
            lesson_run(f"s{i}", "[0, 1]", 0.90),
            lesson_run(f"s{i}", "standardized", 0.95 + i / 100),
        ]
    runs += [lesson_run("odd", "[0, 1]", 0.93), lesson_run("odd", "standardized", 0.91)]
    runs += [lesson_run("late", "raw 0–255", 0.11)]  # one run only: nothing to compare
    found = findings(runs, "scaling")
    assert {f.student: f.best for f in found}["odd"] == "[0, 1]"
    assert lesson_sentence(found) == (
        "3 of 4 students found 'standardized' best (its median 96.00%); 1 found '[0, 1]' best "
        "(93.00%). 1 handed in one run only (nothing to compare)."
    )
    odd = next(f for f in found if f.student == "odd")
    assert odd.conclusion.startswith("[0, 1]: 93.00% after") and "Raw pixels make" in odd.conclusion


def test_a_lesson_nobody_handed_in_says_so():
    assert lesson_sentence([]) == "No one has handed in this lesson's runs yet."
