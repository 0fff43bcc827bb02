"""The class at a glance, for 30 students or more: who they are (in the order they first
handed in), each student's lesson findings in words, and a lesson's conclusion across the
class ("18 of 24 students found 'standardized' best; its median 96.00%"). Pure: HandedIn in,
values out (no Streamlit)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from mlcore import lessons
from runs.classroom import HandedIn, shown_name, shown_names


@dataclass(frozen=True)
class Finding:
    """One student's runs of one lesson: their best run's label and their conclusion."""

    workspace: str
    student: str  # the name shown (nickname, tagged when two students share it)
    accuracies: dict[str, float]  # run label -> test accuracy (their latest run of it)
    conclusion: str  # the lesson's own conclusion, from their runs (mlcore.lessons.conclude)

    @property
    def best(self) -> str | None:
        """The label of their most accurate run, when they handed in two or more to compare."""
        if len(self.accuracies) < 2:
            return None
        return max(self.accuracies, key=self.accuracies.get)


def students(runs: list[HandedIn]) -> list[tuple[str, str]]:
    """(workspace, name shown) of each student, in the order they first handed in: a new
    student goes last, so everyone else keeps their colour."""
    names = shown_names(runs)
    seen: dict[str, str] = {}
    for run in runs:
        seen.setdefault(run.workspace, shown_name(run, names))
    return list(seen.items())


def findings(runs: list[HandedIn], slug: str) -> list[Finding]:
    """Each student's finding in the lesson slug, from the runs they handed in of it."""
    mine: dict[str, list[HandedIn]] = {}
    for run in runs:
        if run.lesson_slug == slug and run.history:
            mine.setdefault(run.workspace, []).append(run)
    lesson = lessons.BY_SLUG.get(slug)
    names = dict(students(runs))
    out = []
    for workspace, theirs in mine.items():
        by_label = {r.lesson_label: r for r in theirs}  # the latest of each label
        accuracies = {
            label: r.test_accuracy for label, r in by_label.items() if r.test_accuracy is not None
        }
        histories = {label: r.history for label, r in by_label.items()}
        said = lessons.conclude(lesson, histories) if lesson is not None else ""
        out.append(Finding(workspace, names[workspace], accuracies, said))
    return out


def lesson_sentence(found: list[Finding]) -> str:
    """The lesson's conclusion across the class, e.g. "18 of 24 students found 'standardized'
    best (its median 96.00%); 6 found '[0, 1]' best (94.10%). 2 handed in one run only."."""
    if not found:
        return "No one has handed in this lesson's runs yet."
    compared = [f for f in found if f.best is not None]
    parts = []
    winners = sorted({f.best for f in compared}, key=lambda b: -sum(f.best == b for f in compared))
    for i, label in enumerate(winners):
        who = [f for f in compared if f.best == label]
        median = statistics.median(f.accuracies[label] for f in who)
        n = f"{len(who)} of {len(compared)} students" if i == 0 else f"{len(who)}"
        parts.append(f"{n} found '{label}' best ({'its median ' if i == 0 else ''}"
                     f"{lessons.value_text('test_accuracy', median)})")  # fmt: skip
    text = "; ".join(parts) + "." if parts else ""
    alone = len(found) - len(compared)
    if alone:
        text += f" {alone} handed in one run only (nothing to compare)."
    return text.strip()
