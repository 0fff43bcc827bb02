"""Lessons: the lab's questions as one-click experiments; runs that differ in one thing race."""

import streamlit as st

from mlcore.lessons import BY_SLUG, LESSONS, conclude, range_conclusion
from runs.scheduler import LimitError
from ui import active_runs, challenge_box, handin, keys, live, router, teacher
from ui import lessons as ui

router.ensure()  # a first visit by a link (a shared lesson) still goes through app.py

CHOICE = keys.LESSON_CHOICE
POLLING = keys.LESSONS_POLLING
START_ERROR = keys.LESSON_START_ERROR  # why the lesson could not start, kept until shown
X_AXIS = keys.LESSONS_X_AXIS

st.title("Lessons")
challenge_box.show()  # the teacher's challenge, when there is one
shown = teacher.class_mode().lessons or [lesson.slug for lesson in LESSONS]  # class mode
shown = [s for s in shown if s in BY_SLUG] or [LESSONS[0].slug]
param = st.query_params.get("lesson")
if st.session_state.get(CHOICE) not in shown:  # a link opens its lesson (never trains)
    st.session_state[CHOICE] = param if param in shown else shown[0]
    if param is not None and param not in shown:
        st.warning(ui.missing_lesson_text(param, shown))
slug = st.selectbox("Lesson", shown, key=CHOICE, format_func=lambda s: BY_SLUG[s].title)
st.query_params.from_dict({"lesson": slug})  # the address bar links to this lesson
lesson = BY_SLUG[slug]

st.markdown(f"**{lesson.question}**")
st.caption(ui.runs_caption(lesson))  # which runs, what differs, what to watch


def start(lesson) -> None:
    """All the lesson's runs or none: a limit's reason is kept for the page to show."""
    try:
        ui.start(lesson)
    except LimitError as e:
        st.session_state[START_ERROR] = f"This lesson did not start: {e}."


runs = ui.runs_of(lesson)
busy = any(r.active for r in runs.values())
b1, b2, _ = st.columns([1.2, 0.8, 5])
b1.button(
    "Run this lesson",
    type="primary",
    key="lessons_start",
    on_click=start,
    args=(lesson,),
    disabled=busy,
)
b2.button("Stop", key="lessons_stop", on_click=ui.stop, args=(lesson,), disabled=not busy)
if START_ERROR in st.session_state:
    st.error(st.session_state.pop(START_ERROR))
active_runs.show("lessons_active", besides=runs.values())  # the Train page's, and others
st.session_state[POLLING] = busy


@st.fragment(run_every=live.poll_seconds() if st.session_state[POLLING] else None)
def race() -> None:
    live.store_warning()
    runs = ui.runs_of(lesson)
    labels = [label for label, _ in lesson.runs if label in runs]
    training = [runs[label] for label in labels]
    if not training:
        st.info("Press **Run this lesson**: its runs train side by side and appear below.")
        return
    for label, run in zip(labels, training, strict=True):
        st.markdown(f"**{label}**")
        live.progress(run)
    active = any(r.active for r in runs.values())
    light = active and live.light()  # a busy server: charts without hover until the end
    x_axis = live.x_axis_choice(X_AXIS)  # updates, images seen, seconds: as on Train
    live.curves(
        training,
        key=f"lesson_{lesson.slug}",
        x_axis=x_axis,
        light_now=light,
        names=labels,
        note=lesson.loss_note,
        log_loss=ui.log_loss(training),
    )
    st.dataframe(ui.watched_rows(lesson, runs), hide_index=True)
    if not active:
        histories = {label: runs[label].history for label, _ in lesson.runs if label in runs}
        st.success(conclude(lesson, histories))
        show_range_test(runs, histories)
        handin.form(training, key=f"lesson_{lesson.slug}_handin", what="this lesson's runs")
    if st.session_state[POLLING] and not active:
        st.rerun()  # all ended: redraw the buttons (the full run clears POLLING; asked again
        # at the next poll if Streamlit dropped this rerun)


def show_range_test(runs, histories) -> None:
    run = runs.get(ui.RANGE)
    if run is None or run.range_test is None:
        return
    result = run.range_test
    st.plotly_chart(ui.range_figure(result), key=f"lesson_{lesson.slug}_range")
    st.success(range_conclusion(lesson, result.suggestion, histories))
    config = ui.suggested_config(lesson, result)
    if st.button(ui.use_rate_label(result, config), key="lessons_use_rate"):
        ui.use_on_train_page(config)


race()
