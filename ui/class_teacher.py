"""The teacher's live view of the class (the Class page with the key), made for 30 students:
filters by student and lesson, one colour per student, each student's best run, a drill-down
into one student (their curves, their lesson conclusions in words), each lesson's conclusion
across the class, and the leaderboard with its public and private scores. Redrawn by itself
every few seconds from one query (ui/class_board)."""

from __future__ import annotations

import html

import streamlit as st

from mlcore import lessons
from runs.class_summary import findings, lesson_sentence, students
from runs.classroom import (
    Challenge,
    HandedIn,
    batch_text,
    leaderboard,
    percent,
    shown_name,
    shown_names,
)
from ui import charts, class_board, class_charts, class_code, private, teacher
from ui.export import class_csv
from ui.text import plain

EVERY, NO_LESSON = "every run", "runs outside lessons"


def titles() -> dict[str, str]:
    """Lesson slug -> title, in the lessons' order."""
    return {lesson.slug: lesson.title for lesson in lessons.LESSONS}


@st.fragment(run_every=class_board.REFRESH_SECONDS)
def view() -> None:
    runs, updated = class_board.class_runs()
    if runs is None:
        return
    if why := class_board.data_mismatch():
        st.warning(f"The servers of this class differ: {plain(why)}")
    who = students(runs)
    c1, c2, c3 = st.columns(3)
    c1.metric("Runs handed in", len(runs))
    c2.metric("Students", len(who))
    c3.caption(updated)
    if not runs:
        st.info("No run handed in yet: students press **Hand in** under a run or a lesson.")
        class_code.show(runs)  # code may come without a run (Write it yourself, no training)
        return
    colors = class_charts.student_colors([w for w, _ in who])
    shown = _filtered(runs, who)
    _table(shown)
    best = _best_rows(shown, dict(who), colors)
    st.plotly_chart(class_charts.best_figure(best), key="class_best")
    _drill_down(runs, who, colors)
    _lessons(runs, colors)
    _board(runs, teacher.challenge())  # read on every refresh: a new challenge shows at once
    class_code.show(runs)  # the code handed in: passes per function, each student's code


def _filtered(runs: list[HandedIn], who: list[tuple[str, str]]) -> list[HandedIn]:
    """The runs of the students and lesson the teacher picked (none picked: everyone)."""
    a, b = st.columns(2)
    names = dict(who)
    picked = a.multiselect("Students", list(names), format_func=names.get, key="class_who",
                           placeholder="everyone")  # fmt: skip
    choices = [EVERY, NO_LESSON, *(s for s in titles() if any(r.lesson_slug == s for r in runs))]
    lesson = b.selectbox("Lesson", choices, format_func=lambda s: titles().get(s, s),
                         key="class_lesson")  # fmt: skip
    outside = lesson == NO_LESSON
    return [
        r for r in runs
        if (not picked or r.workspace in picked)
        and (lesson == EVERY or (outside and r.lesson is None) or r.lesson_slug == lesson)
    ]  # fmt: skip


def _table(runs: list[HandedIn]) -> None:
    """A row per run, newest first; one type per column (pyarrow refuses a mixed one)."""
    names = shown_names(runs)
    rows = [
        {
            "nickname": shown_name(r, names),  # what a phone shows first, then the settings
            "test accuracy (%)": percent(r.test_accuracy),
            "lesson": r.lesson or "–",
            "hidden": r.config.hidden_size,
            "learning rate": r.config.learning_rate,
            "batch": batch_text(r.config),
            "scaling": r.config.scale,
            "iterations": r.config.iterations,
            "status": r.status,
            "seconds": None if r.seconds is None else round(r.seconds, 1),
            "run": r.run_id,
        }
        for r in reversed(runs)
    ]
    st.dataframe(rows, hide_index=True, height=min(400, 38 + 35 * len(rows)))
    st.download_button("Download the class (.csv)", class_csv(runs), key="class_csv",
                       file_name="mnist-lab-class.csv", mime="text/csv",
                       on_click="ignore")  # no rerun on the click (ui/your_work.py)  # fmt: skip


def _best_rows(runs, names: dict[str, str], colors: dict[str, str]) -> list:
    best: dict[str, float] = {}
    for r in runs:
        if r.test_accuracy is not None:
            best[r.workspace] = max(best.get(r.workspace, 0.0), 100 * r.test_accuracy)
    return [(names[w], acc, colors[w]) for w, acc in best.items()]


def _drill_down(runs: list[HandedIn], who: list[tuple[str, str]], colors: dict[str, str]) -> None:
    """One student's runs (loss and accuracy) and their lesson conclusions in words."""
    st.subheader("One student")
    names = dict(who)
    picked = st.selectbox("Student", list(names), format_func=names.get, key="class_one")
    theirs = [r for r in runs if r.workspace == picked]
    series = [(html.escape(r.lesson_label or f"run {r.run_id}"), r.history) for r in theirs]
    palette = [charts.color_at(i) for i in range(len(series))]
    a, b = st.columns(2)
    a.plotly_chart(charts.loss_figure(series, colors=palette), key="class_one_loss")
    b.plotly_chart(charts.accuracy_figure(series, colors=palette), key="class_one_acc")
    for slug in dict.fromkeys(r.lesson_slug for r in theirs if r.lesson_slug):
        mine = findings(theirs, slug)
        if mine and mine[0].conclusion:
            st.markdown(f"**{titles().get(slug, plain(slug))}**")
            st.markdown(plain(mine[0].conclusion))  # their numbers, as their Lessons page said


def _lessons(runs: list[HandedIn], colors: dict[str, str]) -> None:
    st.subheader("Lessons across the class")
    slugs = [s for s in titles() if any(r.lesson_slug == s for r in runs)]
    if not slugs:
        st.caption("When students hand in a lesson's runs, what each found shows here.")
    for slug in slugs:
        found = findings(runs, slug)
        labels = [label for label, _ in lessons.BY_SLUG[slug].runs]
        st.markdown(f"**{titles()[slug]}** — {plain(lesson_sentence(found))}")
        figure = class_charts.lesson_figure(titles()[slug], labels, found, colors)
        st.plotly_chart(figure, key=f"class_lesson_{slug}")


def _board(runs: list[HandedIn], challenge: Challenge) -> None:
    st.subheader("Leaderboard")
    split, problem = private.split()
    scores = private.scores(runs)
    if problem:
        st.error(f"The private split cannot be used: {plain(problem)}")
    elif split is None:
        st.caption("No private split (MNIST_LAB_PRIVATE_DIR): ranked by test accuracy, which "
                   "students see on every page.")  # fmt: skip
    else:
        st.caption(f"Ranked by the private split: {plain(split.description)}; students see "
                   "it when you close the challenge.")  # fmt: skip
    st.caption(f"The challenge: {challenge.rule()}; each student's best finished run counts.")
    board = leaderboard(runs, challenge, scores)
    st.dataframe(board, hide_index=True)
    if board and scores is not None:
        top = board[0]
        st.caption(plain(f"First on the private split: {top['nickname']} (run {top['run']}, "
                         f"{top['private accuracy (%)']:.2f}%; on the test set "
                         f"{top['test accuracy (%)']:.2f}%)."))  # fmt: skip
