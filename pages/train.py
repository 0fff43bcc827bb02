"""Train: choose hyper-parameters, start/stop/continue, watch loss and accuracy live."""

from functools import partial

import numpy as np
import streamlit as st

from mlcore.augment import AUGMENTS, preview
from mlcore.model import model_bytes
from mlcore.spec import config_to_params
from ui import (
    active_runs,
    challenge_box,
    charts,
    handin,
    hints,
    keys,
    live,
    router,
    run_names,
    state,
    train_settings,
)
from ui import train_actions as actions
from ui.export import runs_csv
from ui.text import full_stop, plain
from ui.widgets import (
    AUGMENT_LABELS,
    BATCH_SIZES,
    FULL,
    HELP,
    HIDDEN_SIZES,
    LEARNING_RATES,
    MOMENTA,
    SCALE_LABELS,
)

router.ensure()  # a first visit by a link (/train) still goes through app.py

if problems := train_settings.start(st.query_params.to_dict()):  # a link opens its settings
    st.session_state[keys.TRAIN_ERROR] = "This link has settings that cannot be used: " + (
        "; ".join(problems) + ". Those settings keep their defaults."
    )
settings = train_settings.read  # the settings the widgets show
train_settings.follow_run()  # the run on screen's settings, not the defaults (a lesson's run)

st.title("Train the network")
data = state.dataset()
st.caption(
    f"784 pixels → hidden sigmoid layer → 10 softmax outputs · cross-entropy · "
    f"{data.label} ({len(data.y_train):,} training images)"
)
challenge_box.show()  # the teacher's challenge, when there is one: its rules where you train


run = state.current_run()
busy = bool(run and run.active)
buttons = st.container(horizontal=True)  # one row that wraps on a phone
buttons.button("Start", type="primary", key="start", on_click=actions.start_run, disabled=busy)
buttons.button("Stop", key="stop", on_click=actions.stop_run, disabled=not busy)
can_go_on = bool(run and not busy and run.continuable and run.status in actions.PAUSABLE)
buttons.button(
    "Continue",
    key="continue",
    on_click=actions.step,
    args=("continue",),
    disabled=not can_go_on,
    help="Resume a stopped or stepped run exactly where it stopped. After a finished run: "
    "train as long again (a cosine schedule stretches to the new length).",
)
buttons.button(
    "Step",
    key="step",
    on_click=actions.step,
    args=("step",),
    disabled=busy,
    help="Exactly one gradient step (one batch) of the run on screen, then pause: see what "
    "one update changes. A finished run takes one step past its end.",
)
buttons.button(
    "+1 iteration",
    key="plus_iteration",
    on_click=actions.step,
    args=("iteration",),
    disabled=busy,
    help="Train the run on screen one more iteration (a full-batch step, or one pass over the "
    "data), then pause; a finished run goes one iteration past its end.",
)
active_runs.show(
    "train_active", besides=[run] if run else []
)  # a lesson's runs, stoppable from here too
if keys.TRAIN_ERROR in st.session_state:
    st.error(plain(st.session_state.pop(keys.TRAIN_ERROR)))  # may quote a link's own text

st.session_state[keys.PRESET] = train_settings.matching_preset()  # CUSTOM once one differs
st.session_state.setdefault(keys.SETTINGS_OPEN, run is None)  # open until a run is on screen
with st.expander("Settings", key=keys.SETTINGS_OPEN, on_change="rerun"):
    st.selectbox(
        "Preset",
        [*train_settings.PRESETS, train_settings.CUSTOM],
        key=keys.PRESET,
        on_change=train_settings.apply_preset,
        help="Fills in every setting below; the lab's own settings are among them. It says "
        "custom once a setting differs from every preset.",
    )
    if preset := train_settings.PRESETS.get(st.session_state[keys.PRESET]):  # measured ones
        st.caption(preset.results_text(data.kind))
    c1, c2, c3 = st.columns(3)
    c1.select_slider("Hidden units", HIDDEN_SIZES, key="hidden_size", help=HELP["hidden_size"])
    c2.select_slider(
        "Learning rate (log scale)",
        LEARNING_RATES,
        key="learning_rate",
        format_func=lambda v: f"{v:g}",
        help=HELP["learning_rate"],
    )
    c3.slider("Iterations", 1, 200, key="iterations", help=HELP["iterations"])
    a1, a2, a3 = st.columns(3)
    a1.selectbox(
        "Batch size",
        BATCH_SIZES,
        key="batch_size",
        format_func=lambda b: "full batch (the lab)" if b == FULL else f"{b} images",
        help=HELP["batch_size"],
    )
    a1.number_input("Seed", 0, 2**31 - 1, key="seed", help=HELP["seed"])
    a2.selectbox(
        "Input scaling",
        list(SCALE_LABELS),
        key="scale",
        format_func=SCALE_LABELS.get,
        help=HELP["scale"],
    )
    a2.selectbox(
        "Initialisation",
        ["lab", "zeros"],
        key="init",
        format_func={"lab": "N(0,1)·√(1/rows) (the lab)", "zeros": "all zeros"}.get,
        help=HELP["init"],
    )
    a1.radio(
        "Softmax",
        ["stable", "naive"],
        key="softmax",
        format_func={"stable": "stable (max subtracted)", "naive": "naive exp(l)/Σexp(l)"}.get,
        help=HELP["softmax"],
    )
    a2.radio("Precision", ["float32", "float64"], key="dtype", help=HELP["dtype"])
    a3.slider("Initial weight scale", 0.0, 5.0, step=0.1, key="init_scale", help=HELP["init_scale"])
    a3.select_slider("Momentum", MOMENTA, key="momentum", help=HELP["momentum"])
    a3.radio(
        "Learning-rate schedule",
        ["constant", "cosine"],
        key="schedule",
        horizontal=True,
        help=HELP["schedule"],
    )
    st.selectbox(
        "Augmentation",
        AUGMENTS,
        key="augment",
        format_func=AUGMENT_LABELS.get,
        help=HELP["augment"],
    )
if st.session_state["augment"] != "none":  # expanders cannot nest: right under Settings
    with st.expander("What the network is shown"):
        rng = np.random.default_rng(st.session_state["seed"])
        grid = preview(data.X_train[:4], rng, st.session_state["augment"])
        st.plotly_chart(charts.grid_figure(grid, "Each row: a training image, then 7 distortions"))
        st.caption("A new random distortion of every image, every time a batch is drawn.")
try:
    link = config_to_params(settings())  # the address bar is a link to these settings
except ValueError:
    link = st.query_params.to_dict()  # a setting out of range: Start says why
if run is not None:  # and to the run on screen: a reload (F5) shows it again
    link[train_settings.RUN_PARAM] = run.id
st.query_params.from_dict(link)
# A run training on another app server is asked after too: if that server dies, the run
# turns "interrupted" here (runs.workspaces re-reads it) and Continue appears, tab left open.
elsewhere = bool(run and run.status == "elsewhere")
st.session_state[keys.TRAIN_POLLING] = busy or elsewhere


POLL = live.poll_seconds()
TABLE_POLL = 3 * POLL  # the runs table: a grid redrawn in the browser, less often than the charts


@st.fragment(run_every=POLL if st.session_state[keys.TRAIN_POLLING] else None)
def show_live() -> None:  # the overlay has no key: new runs are overlaid by default
    live.store_warning()
    run = state.current_run()
    if run is None:
        st.info("Choose settings and press **Start**. The charts fill in as the network learns.")
        live.curves([], key="train")  # the axes to come (and Plotly loaded before Start)
        return
    live.progress(run)
    earlier = {r.id: r for r in state.runs() if r.id != run.id and r.history and not r.hidden}
    mine = [run, *earlier.values()]
    names = dict(zip((r.id for r in mine), live.labels(mine), strict=True))  # what differs
    chart_area = st.container()  # the charts first: on a phone, on the first screen
    live.metrics(run)
    o1, o2 = st.columns([3, 2])
    overlay = o1.multiselect(
        "Overlay earlier runs",
        list(earlier),
        default=list(earlier)[-2:],
        format_func=names.get,
        help="Name a run or hide it from this list under Your runs.",
    )
    with o2:
        x_axis = live.x_axis_choice(keys.TRAIN_X_AXIS)
    view = live.view_choice(keys.TRAIN_VIEW)
    shown = [run, *(earlier[i] for i in overlay)]
    # A choice, not tabs: only the charts shown are redrawn on each poll (tabs redraw all
    # four in every browser twice a second — the browsers' CPU in the load benchmark).
    light = run.active and live.light()  # a busy server: charts without hover until the end
    legend = live.labels(shown)  # only what differs between the runs drawn
    draw = live.curves if view == "learning" else live.diagnostics
    with chart_area:
        draw(shown, key="train", x_axis=x_axis, light_now=light, names=legend)
    live.step_panel(run)
    if st.session_state[keys.TRAIN_POLLING]:
        run = live.await_end(run, POLL)  # a Run is a value: the one it waited for
    if st.session_state[keys.TRAIN_POLLING] and not run.active and run.status != "elsewhere":
        # The run ended: redraw the whole page (buttons, results), whose full run sets the
        # polling flag from the run. Not cleared here: a rerun Streamlit drops (a fragment
        # rerun racing a full one) is asked again at the next poll, never lost for good.
        st.rerun()


show_live()

# One block, empty while a run trains: the runs table below keeps its place when the run ends.
# A fragment's id is where it is called (its cursor's delta path); CI's challenge test logged
# the table's id as "The fragment with id ... does not exist anymore", a timer tick aimed at
# an id the page no longer had. That a moved table was the cause is likely, not proven.
results = st.container()
if run is not None and not run.active and (run.history or run.status == "interrupted"):
    with results:
        {"finished": st.success, "diverged": st.error, "failed": st.error}.get(run.status, st.info)(
            f"Run {plain(live.label(run))}: {plain(outcome := run.message or run.status)}"
            f"{full_stop(outcome)}"
        )
        hints.render(run, go_on=partial(actions.step, "continue"))  # one-click fixes
        if run.kind == "train":
            handin.form([run], key="train_handin")  # when the teacher has a Class page
        if run.usable:
            st.download_button(
                "Download this model (.npz)",
                lambda: model_bytes(run.model()),  # built on click, not on every rerun
                file_name=f"mnist-run-{run.id}.npz",
                key="download_model",
                on_click="ignore",  # see ui/your_work.py: no rerun, the file is not lost
                help="Load it with mlcore.model.load_model, or upload it on the Draw page.",
            )


@st.fragment(run_every=TABLE_POLL if st.session_state[keys.TRAIN_POLLING] else None)
def runs_table() -> None:
    """Every run of this workspace, as the charts above show it (also while one trains)."""
    st.dataframe(run_names.table_rows(state.runs()), hide_index=True)


if mine := state.runs():
    st.subheader("Your runs")
    runs_table()
    run_names.control(mine)  # name a run, hide it from the charts
    st.download_button(
        "Download every run's history (.csv)",
        lambda: runs_csv(mine),  # built on click, from the runs captured here (see export)
        file_name="mnist-lab-runs.csv",
        mime="text/csv",
        key="download_csv",
        on_click="ignore",  # see ui/your_work.py: no rerun, the file is not lost
        help="One row per report of every run you kept, with the run's settings: "
        "open it in a spreadsheet or pandas. Everything at once: Home → Your work.",
    )
