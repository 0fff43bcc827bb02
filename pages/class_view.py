"""Class: the teacher's view of handed-in runs, lessons across students, the challenge."""

import html

import streamlit as st

from mlcore.lessons import LESSONS
from runs.classroom import (
    Challenge,
    ClassMode,
    handed_in,
    leaderboard,
    lesson_results,
    shown_name,
    shown_names,
)
from ui import charts, class_charts, router, state, teacher
from ui.colors import run_color
from ui.export import class_csv
from ui.text import plain

router.ensure()  # a first visit by a link (/class_view) still goes through app.py


def class_runs() -> list | None:
    """The handed-in runs, or None after saying why the database cannot give them."""
    if not state.keeps_work():
        st.error("The class view needs the run store (MNIST_LAB_STORE is 'memory').")
        return None
    found = state.handed_in_runs()  # [] while the store is away (store_problem says why)
    if not found and (why := state.store_problem()):
        st.error(f"The database is away ({plain(why)}); try again soon.")
        return None
    return handed_in(found)


st.title("The class")
challenge = teacher.challenge()
if not teacher.is_teacher():
    if challenge.show_students:
        st.subheader("Challenge")
        st.caption(f"Hand in a run with {challenge.rule()}; each nickname's best counts.")
        if (runs := class_runs()) is not None:
            st.dataframe(leaderboard(runs, challenge), hide_index=True)
    st.info("This page is for your teacher: the runs handed in are shown only with the key.")
    with st.form("teacher_key"):
        given = st.text_input("Teacher's key", type="password")
        if st.form_submit_button("Open the class view"):
            if (why := teacher.try_key(given)) is None:
                st.rerun()
            st.error(why)
    st.stop()

runs = class_runs()
if runs is None:
    st.stop()

c1, c2, c3 = st.columns(3)
c1.metric("Runs handed in", len(runs))
c2.metric("Students", len({r.workspace for r in runs}))
c3.button("Refresh", key="class_refresh")
if not runs:
    st.info("Nothing handed in yet: students press **Hand in** under a run or a lesson.")
else:
    names = shown_names(runs)  # each run under its own nickname (a legend escapes it)
    rows = [
        {
            "nickname": shown_name(r, names),
            "run": r.run_id,
            "lesson": r.lesson or "–",
            "hidden": r.config.hidden_size,
            "learning rate": r.config.learning_rate,
            "batch": "full" if r.config.batch_size is None else r.config.batch_size,
            "scaling": r.config.scale,
            "iterations": r.config.iterations,
            "status": r.status,
            "test accuracy (%)": None
            if r.test_accuracy is None
            else round(100 * r.test_accuracy, 2),
            "seconds": None if r.seconds is None else round(r.seconds, 1),
        }
        for r in reversed(runs)
    ]
    st.dataframe(rows, hide_index=True)  # cells are text: a nickname is never rendered
    st.download_button(
        "Download the class (.csv)", class_csv(runs), file_name="mnist-lab-class.csv",
        mime="text/csv", key="class_csv",
    )  # fmt: skip
    series = [(html.escape(f"{shown_name(r, names)} · {r.run_id}"), r.history) for r in runs[-12:]]
    colors = [run_color(r.run_id) for r in runs[-12:]]  # as on the student's own pages
    st.plotly_chart(charts.accuracy_figure(series, colors=colors), key="class_curves")

st.header("Lessons across the class")
by_lesson = lesson_results(runs)
titles = {lesson.slug: lesson.title for lesson in LESSONS}
if not by_lesson:
    st.caption("When students hand in a lesson's runs, what each found shows here.")
for slug, results in by_lesson.items():
    figure = class_charts.lesson_figure(titles.get(slug, slug), results)
    st.plotly_chart(figure, key=f"class_lesson_{slug}")

st.header("Challenge")
with st.form("challenge"):
    a, b = st.columns(2)
    hidden = a.number_input(
        "At most hidden units (0: no limit)", 0, 10_000, challenge.max_hidden or 0, key="ch_hidden"
    )
    passes = b.number_input(
        "At most iterations (0: no limit)", 0, 1_000, challenge.max_iterations or 0, key="ch_iter"
    )
    show = st.checkbox("Show the leaderboard to students", challenge.show_students, key="ch_show")
    if st.form_submit_button("Set the challenge"):
        new = Challenge(int(hidden) or None, int(passes) or None, show)
        if teacher.save_setting("challenge", new.as_dict()):
            challenge = new
st.caption(f"The challenge: {challenge.rule()}; each nickname's best finished run counts.")
st.dataframe(leaderboard(runs, challenge), hide_index=True)

st.header("Class mode")
mode = teacher.class_mode()
with st.form("class_mode"):
    slugs = [lesson.slug for lesson in LESSONS]
    chosen = st.multiselect(
        "Lessons students see",
        slugs,
        mode.lessons or slugs,
        format_func=titles.get,
        key="cm_lessons",
    )
    lock = st.checkbox(
        "Lock the data (no MNIST download or upload, no server paths)",
        mode.lock_data,
        key="cm_lock",
    )
    note = st.text_input("A note at the top of Home", mode.note, max_chars=300, key="cm_note")
    if st.form_submit_button("Set class mode"):
        every = set(chosen) == set(slugs)
        new_mode = ClassMode(None if every else tuple(chosen), lock, note.strip())
        if teacher.save_setting("class_mode", new_mode.as_dict()):
            st.success("Class mode set: every app server shows it within 5 seconds.")
