"""Train: choose hyper-parameters, start/stop/continue, watch loss and accuracy live."""

from dataclasses import fields

import streamlit as st

from mlcore.model import model_bytes
from mlcore.train import PRESETS, TrainConfig
from ui import charts, state
from ui.jobs import Run
from ui.widgets import BATCH_SIZES, HIDDEN_SIZES, LEARNING_RATES, MOMENTA, SCALE_LABELS

DEFAULTS = TrainConfig()
FIELDS = [f.name for f in fields(TrainConfig)]


def apply_preset() -> None:
    for name in FIELDS:
        st.session_state[name] = getattr(PRESETS[st.session_state["preset"]], name)


for name in FIELDS:  # widget defaults come from the core's TrainConfig
    st.session_state.setdefault(name, getattr(DEFAULTS, name))

st.title("Train the network")
data = state.dataset()
st.caption(
    f"784 pixels → hidden sigmoid layer → 10 softmax outputs · cross-entropy · "
    f"{state.DATA_KINDS[data.kind]} ({len(data.y_train):,} training images)"
)

st.selectbox(
    "Preset",
    list(PRESETS),
    key="preset",
    on_change=apply_preset,
    help="Fills in every setting below; the lab's own settings are among them.",
)
c1, c2, c3 = st.columns(3)
c1.select_slider("Hidden nodes", HIDDEN_SIZES, key="hidden_size")
c2.select_slider(
    "Learning rate (log scale)", LEARNING_RATES, key="learning_rate", format_func=lambda v: f"{v:g}"
)
c3.slider(
    "Iterations",
    1,
    200,
    key="iterations",
    help="Full batch: one gradient step over all images. Mini-batch: one shuffled pass.",
)
with st.expander("Advanced"):
    a1, a2, a3 = st.columns(3)
    a1.selectbox(
        "Batch size",
        BATCH_SIZES,
        key="batch_size",
        format_func=lambda b: "full batch (the lab)" if b is None else f"{b} images",
    )
    a1.number_input("Seed", 0, 2**31 - 1, key="seed", help="Same seed, same run.")
    a2.selectbox("Input scaling", list(SCALE_LABELS), key="scale", format_func=SCALE_LABELS.get)
    a2.selectbox(
        "Initialisation",
        ["lab", "zeros"],
        key="init",
        format_func={"lab": "N(0,1)·√(1/rows) (the lab)", "zeros": "all zeros"}.get,
    )
    a3.slider("Initial weight scale", 0.0, 5.0, step=0.1, key="init_scale")
    a3.select_slider("Momentum", MOMENTA, key="momentum", help="0 = plain gradient descent")
    a3.radio("Learning-rate schedule", ["constant", "cosine"], key="schedule", horizontal=True)


def start_run() -> None:
    try:
        config = TrainConfig(**{name: st.session_state[name] for name in FIELDS})
    except ValueError as e:
        st.session_state["train_error"] = f"Cannot start: {e}"
        return
    data = state.dataset()
    scaling, X, X_test = state.scaled(data, config.scale)
    run = Run.create(config, scaling, data.description)
    state.runs().append(run)
    run.start((X, data.y_train, X_test, data.y_test))


def stop_run() -> None:
    state.current_run().stop()
    state.current_run().join(5)


if "train_error" in st.session_state:
    st.error(st.session_state.pop("train_error"))
run = state.current_run()
b1, b2, b3, _ = st.columns([1, 1, 1, 3])
b1.button(
    "Start", type="primary", key="start", on_click=start_run, disabled=bool(run and run.active)
)
b2.button("Stop", key="stop", on_click=stop_run, disabled=not (run and run.active))
b3.button(
    "Continue",
    key="continue",
    on_click=lambda: state.current_run().start(),
    disabled=not run or run.active or run.status in state.UNUSABLE,
    help="Resume a stopped run exactly where it stopped. After a finished run: train as "
    "long again (a cosine schedule stretches to the new length).",
)
st.session_state["polling"] = bool(run and run.active)


@st.fragment(run_every=0.5 if st.session_state["polling"] else None)
def live() -> None:  # the overlay has no key: new runs are overlaid by default
    run = state.current_run()
    if run is None:
        st.info("Choose settings and press **Start**. The charts fill in as the network learns.")
        return
    h = run.state.history
    last = h[-1] if h else None
    done = 0.0 if last is None else min(1.0, last.iteration / run.config.iterations)
    eta = run.eta()
    st.progress(
        done,
        text=f"{run.label} — {run.status}"
        + ("" if last is None else f" · {last.elapsed:.1f} s elapsed")
        + ("" if eta is None or not run.active else f" · about {eta:.0f} s left"),
    )
    if last is not None:
        m1, m2, m3, m4 = st.columns(4)
        test = run.state.latest_test_accuracy
        m1.metric("Test accuracy", "–" if test is None else f"{100 * test:.2f}%")
        m2.metric("Training accuracy", f"{100 * last.train_accuracy:.2f}%")
        m3.metric("Training loss", f"{last.train_loss:.4f}")
        m4.metric("Time per iteration", f"{1000 * last.elapsed / max(last.iteration, 1e-9):.0f} ms")
    earlier = [r for r in state.runs() if r is not run and r.state.history]
    by_id = {r.id: r for r in earlier}
    overlay = st.multiselect(
        "Overlay earlier runs",
        list(by_id),
        default=list(by_id)[-2:],
        format_func=lambda i: by_id[i].label,
    )
    series = [(r.label, r.state.history) for r in [run, *(by_id[i] for i in overlay)]]
    g1, g2 = st.columns(2)
    g1.plotly_chart(charts.loss_figure(series), key="loss_chart")
    g2.plotly_chart(charts.accuracy_figure(series), key="accuracy_chart")
    if st.session_state["polling"] and not run.active:
        st.session_state["polling"] = False
        st.rerun()  # the run ended: redraw the whole page (buttons, results)


live()

if run is not None and not run.active and run.state.history:
    {"finished": st.success, "diverged": st.error, "failed": st.error}.get(run.status, st.info)(
        f"Run {run.label}: {run.message or run.status}."
    )
    if run.status not in state.UNUSABLE:
        st.download_button(
            "Download this model (.npz)",
            lambda: model_bytes(run.model()),  # built on click, not on every rerun
            file_name=f"mnist-run{run.id}.npz",
            key="download_model",
            help="Load it with mlcore.model.load_model; the Draw page uses it.",
        )

if state.runs():
    st.subheader("Runs of this session")
    st.dataframe([state.run_row(r) for r in reversed(state.runs())], hide_index=True)
