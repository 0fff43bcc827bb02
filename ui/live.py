"""How a run is shown while it trains: its status line, charts and numbers (Train, Lessons)."""

from __future__ import annotations

import time

import streamlit as st

from runs.scheduler import Run
from runs.turns import CODE_WAITS
from ui import charts, light_chart, state
from ui.colors import run_colors
from ui.run_labels import label, labels
from ui.text import done_of, plain, significant


def ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def status_text(run: Run) -> str:
    """One line: what the run is doing now, in words a student reads at a glance."""
    last = run.history[-1] if run.history else None
    name = plain(label(run))  # st.progress reads Markdown; a name is the student's text
    if run.status == "waiting":
        place = state.scheduler().place(run.id)
        if place is None:
            return f"{name} — starting …"
        k, seconds = place
        if run.message == CODE_WAITS:  # why it waits longer than its place says
            return f"{name} — waiting: {run.message}."
        turn = state.scheduler().limits.turn_seconds
        return (
            f"{name} — waiting: {ordinal(k)} in the queue, starts in about "
            f"{max(1, round(seconds))} s (while others wait, runs take turns of {turn:g} s)"
        )
    if run.status == "running" and last is None:
        return f"{name} — preparing the data and the first steps …"
    text = f"{name} — {run.status}"
    if last is not None:
        text += f" · {last.elapsed:.1f} s of training"
    eta = run.eta()
    if run.status == "running" and eta is not None:
        text += f" · about {eta:.0f} s left" if eta >= 0.5 else " · less than a second left"
    return text


def store_warning() -> None:
    """The store's problem, inside a polling fragment: it shows within a poll of a fault and
    goes within a poll of the recovery, while a run trains (the sidebar's is redrawn only when
    the whole page is)."""
    if problem := state.store_problem():
        st.warning(problem)


def progress(run: Run) -> None:
    last = run.history[-1] if run.history else None
    done = 0.0 if last is None else min(1.0, last.iteration / run.config.iterations)
    st.progress(done, text=status_text(run))


def metrics(run: Run) -> None:
    """Test accuracy, training loss and where the run is, as three compact numbers."""
    last = run.history[-1] if run.history else None
    if last is None:
        return
    m1, m2, m3 = st.columns(3)
    test = run.latest_test_accuracy
    m1.metric("Test accuracy", "–" if test is None else f"{100 * test:.2f}%")
    if run.last_step is None:  # the mean over the batches since the report before
        m2.metric("Training loss", f"{last.train_loss:.4f}")
    else:  # one Step's report covers one batch: a noisier figure than the mean before it
        m2.metric(
            "Training loss (this batch)",
            f"{last.train_loss:.4f}",
            help="The loss on the one batch the last Step trained on, before the step; the "
            "figure before a Step is the mean over many batches, so the two can differ a lot.",
        )
    unit = "step" if run.config.batch_size is None else "pass"
    m3.metric("Done", done_of(last.iteration, run.config.iterations, unit))


# How often a page redraws a training run: each poll redraws its charts in the browser (two
# live Plotly charts at 1 Hz: ~0.2 of a core in headless Chromium, measured) and reruns the
# page's fragment on the server (~0.06 of a core). With many runs training, the cores are
# what everyone waits for: pages then poll more slowly (poll_seconds).
POLL_SECONDS = 1.0
POLL_SECONDS_MAX = 3.0
FIRST_REPORT_WAIT = 0.8  # seconds Start may wait for a run's first report (see await_first)


def poll_seconds() -> float:
    """Seconds between redraws now: POLL_SECONDS, plus half a second per run past the first
    two training or waiting on the server, up to POLL_SECONDS_MAX."""
    in_demand, _ = _demand()
    extra = 0.5 * max(0, in_demand - 2)
    return min(POLL_SECONDS_MAX, POLL_SECONDS + extra)


def _demand() -> tuple[int, int]:
    """(runs training or waiting on the server, its workers)."""
    stats = state.scheduler().stats()
    return stats["running"] + stats["waiting"], stats["workers"]


def _latest(run: Run) -> Run:
    """The run as it is now (a Run is a value: the scheduler hands out a new one per change)."""
    return state.scheduler().get(run.id) or run


def await_end(run: Run, poll: float) -> Run:
    """Hold a poll whose run will end before the next one until it does (at most its
    estimate + 0.3 s, never past the next poll + 0.3 s): the page shows the end when it
    happens, not up to a poll later. A run that stops training (paused, stopped) ends it.
    Returns the run as it is then."""
    eta = run.eta() if run.status == "running" else None
    if eta is None or eta > poll:
        return run
    deadline = time.monotonic() + eta + 0.3
    while run.status == "running" and time.monotonic() < deadline:
        time.sleep(0.02)
        run = _latest(run)
    return run


def await_first(run: Run) -> Run:
    """Hold the script run after Start until run's first report (a warm worker sends it in
    ~0.1 s), up to FIRST_REPORT_WAIT: the page drawn next already shows the first point,
    instead of one poll later. A run still queued after 0.1 s returns at once (its place in
    the queue is the news). Returns the run as it is then."""
    start = time.monotonic()
    while run.active and not run.history:
        waited = time.monotonic() - start
        if waited > FIRST_REPORT_WAIT or (run.status == "waiting" and waited > 0.1):
            return run
        time.sleep(0.02)
        run = _latest(run)
    return run


VIEWS = {"learning": "Loss and accuracy", "inside": "Inside: gradients and saturation"}


def view_choice(key: str) -> str:
    """Which pair of live charts to show: "learning" or "inside"."""
    return st.radio(
        "Charts shown",
        list(VIEWS),
        format_func=VIEWS.get,
        horizontal=True,
        key=key,
        help="Loss and accuracy: how well it learns. Inside: why it learns slowly (the "
        "gradient reaching each layer, the hidden sigmoids' saturation).",
    )


X_AXIS_LABELS = {
    "iteration": "iterations",
    "steps": "gradient steps",
    "images": "images seen",
    "seconds": "seconds",
}


def x_axis_choice(key: str) -> str:
    """A horizontal radio for the charts' x-axis; returns a key of charts.X_AXES."""
    return st.radio(
        "Plot against",
        list(X_AXIS_LABELS),
        format_func=X_AXIS_LABELS.get,
        horizontal=True,
        key=key,
        help="Full batch and mini-batch compared fairly: per gradient step (update), per "
        "image the network has seen (its compute), or per second on this server.",
    )


def light() -> bool:
    """Whether live charts are drawn light (ui/light_chart) now: while more runs train or
    wait on the server than it has workers (a queue). Then the cores are what everyone waits
    for, and a browser on the same machine drawing two Plotly charts at each poll takes ~0.17 of
    a core at 1 Hz (a Train tab in headless Chromium; see ui/light_chart), drawn light ~0.09.
    Runs that end are drawn with Plotly again (hover, zoom). A lesson of 3 runs on a 2-worker
    server is drawn light even for one student."""
    in_demand, workers = _demand()
    return in_demand > max(1, workers)


LIGHT_NOTE = (
    "Many runs are training on this server: the charts are drawn light (no hover or zoom) "
    "until the run ends, so the training gets the cores."
)


def _light_note(light_now: bool) -> None:
    if light_now:
        st.caption(LIGHT_NOTE)


def _chart(column, figure, key: str, light_now: bool) -> None:
    if light_now:
        # Markdown keeps the SVG (st.html's sanitiser drops it); every text in it is escaped.
        column.markdown(light_chart.figure_html(figure), unsafe_allow_html=True)
    else:
        column.plotly_chart(figure, key=key)


def curves(
    runs: list[Run],
    key: str,
    x_axis: str = "iteration",
    light_now: bool = False,
    names: list[str] | None = None,
    note: str = "",
    log_loss: bool = False,
) -> None:
    """Loss and accuracy charts of runs side by side (the first run first in the legend);
    light_now: drawn light, with a caption saying why (see light()); names: the legend's
    (a lesson's own labels), else labels(runs); note: said under the loss chart; log_loss:
    a log loss axis."""
    series = list(zip(names or labels(runs), (r.history for r in runs), strict=True))
    g1, g2 = st.columns(2)
    colors = run_colors(runs)
    _chart(g1, charts.loss_figure(series, x_axis, log_loss, colors), f"{key}_loss", light_now)
    if note:
        g1.caption(note)
    _chart(g2, charts.accuracy_figure(series, x_axis, colors), f"{key}_accuracy", light_now)
    _light_note(light_now)


def diagnostics(
    runs: list[Run],
    key: str,
    x_axis: str = "iteration",
    light_now: bool = False,
    names: list[str] | None = None,
) -> None:
    """Gradient sizes per layer and sigmoid saturation of runs, side by side."""
    series = list(zip(names or labels(runs), (r.history for r in runs), strict=True))
    g1, g2 = st.columns(2)
    colors = run_colors(runs)
    _chart(g1, charts.gradient_figure(series, x_axis, colors), f"{key}_gradients", light_now)
    g1.caption(
        "How big the last step's gradient was for each weight matrix. Near 0: that layer has "
        "stopped learning (saturated sigmoids pass almost no gradient back to w1)."
    )
    _chart(g2, charts.saturation_figure(series, x_axis, colors), f"{key}_saturation", light_now)
    g2.caption(
        "Share of hidden units with |z| > 4.6 (σ within 1% of 0 or 1) on 500 training images, "
        "and the mean slope σ′(z). High saturation, low slope: the layer learns slowly."
    )
    _light_note(light_now)


def step_panel(run: Run) -> None:
    """What the last single Step changed: the batch's loss before/after, each update's size."""
    change = run.last_step
    if change is None or run.status not in ("paused", "finished"):  # a Step can end the run
        return
    st.markdown("**What this step changed** (on the batch it trained on)")
    c = st.columns(5)
    c[0].metric(
        "Batch loss after the step",
        f"{change.loss_after:.4f}",
        delta=f"{change.loss_after - change.loss_before:+.4f}",
        delta_color="inverse",
        help=f"Before the step: {change.loss_before:.4f}, the training loss above (measured "
        "as the step computed its gradient). A step moves every weight against its gradient, "
        "so the loss on this batch usually falls.",
    )
    for col, name in zip(c[1:], ("w1", "b1", "w2", "b2"), strict=True):
        size = significant(change.update_norms[name], 3)  # one format: 0.0000430, 0.000526
        col.metric(f"‖Δ{name}‖", size, help="Size of the update")
