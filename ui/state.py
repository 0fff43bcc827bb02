"""Session-state keys and cached data shared by the pages.

Read-only MNIST arrays live in st.cache_resource (one copy for every user); a user's runs
live in the server's scheduler, filed under the workspace's id (found by id, never by label);
the tab's own choices and uploads live in st.session_state (theirs alone).
"""

from __future__ import annotations

import socket
import uuid
from dataclasses import fields
from pathlib import Path

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from mlcore.data import SAMPLE_DIR, Dataset, load_mnist, locate
from mlcore.model import Model, load_model
from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs.protocol import DataRef
from runs.scheduler import Run, Scheduler, SettingsError, get_scheduler
from ui import keys, workspace

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_PATH = ROOT / "models" / "default.npz"
DEFAULT_MODEL_ID = "default"  # the shipped model, among the runs' ids in model pickers

CURRENT_RUN = keys.CURRENT_RUN  # id of the run the Train page shows
UPLOADED = "uploaded_dataset"  # in the scheduler's session data: the Home page's upload
# Widget values kept when the user visits another page (Streamlit drops the state of widgets
# a run does not draw, unless the key is written back on every run: app.py does that).
PERSISTENT_KEYS = (
    *(f.name for f in fields(TrainConfig)),
    keys.PRESET,
    keys.SOFTMAX_PRESET,
    keys.SOFTMAX_SCALE,
    keys.SOFTMAX_DTYPE,
    keys.BRUSH,
    keys.DRAW_MODEL,
    keys.TRAIN_X_AXIS,
    keys.TRAIN_VIEW,
)


@st.cache_resource(show_spinner="Loading MNIST ...")
def _load_shared(kind: str, where: str) -> Dataset:
    return load_mnist(where)  # kind: the cache's key, as _source found it


def dataset() -> Dataset:
    """The workspace's dataset: its upload if any, else the first source found (see mlcore.data)."""
    if (upload := uploaded()) is not None:
        return upload
    return shared_dataset()


def shared_dataset() -> Dataset:
    """The server's own dataset (every workspace's without an upload)."""
    kind, where = _source()
    return _load_shared(kind, where)


def _source() -> tuple[str, str]:
    """(kind, where) of the shared MNIST source: the one found, or the bundled sample.

    A broken MNIST_DIR falls back to the sample; source_problem() says so in the sidebar.
    """
    try:
        kind, where = locate()
    except FileNotFoundError:
        kind, where = "sample", SAMPLE_DIR
    return kind, str(where)


def uploaded() -> Dataset | None:
    """The workspace's uploaded dataset, if any.

    Kept by the scheduler under the workspace's id, not in st.session_state: the scheduler
    frees it seconds after its tabs close (Streamlit keeps a closed tab's state minutes).
    """
    upload = scheduler().workspace_data(workspace_id()).get(UPLOADED)
    return None if upload is None else upload[0]


def set_uploaded(data: Dataset | None) -> None:
    """Use data (an upload) for this workspace from now on; None: back to the shared data."""
    store = scheduler().workspace_data(workspace_id())
    if data is None:
        store.pop(UPLOADED, None)
    else:
        store[UPLOADED] = (data, uuid.uuid4().hex)  # a new key per upload (never id(data))


def source_problem() -> str | None:
    """Why the configured MNIST source cannot be used (a wrong MNIST_DIR), or None."""
    try:
        locate()
    except FileNotFoundError as e:
        return f"{e}. Using the bundled sample instead."
    return None


@st.cache_resource
def default_model() -> Model:
    return load_model(DEFAULT_MODEL_PATH)


def scheduler() -> Scheduler:
    """The server's scheduler (one per server process), preloading the default data.

    A setting it cannot start with (runs.scheduler.SettingsError) is said in one line on the
    page, which stops there (the server log has it once).
    """
    try:
        return get_scheduler(DataRef(*_source()), tab_connected, server_name())
    except SettingsError as e:
        st.error(str(e))
        st.stop()


def server_name() -> str:
    """What this server is across restarts: its host and port (runs.incarnation)."""
    return f"{socket.gethostname()}:{st.get_option('server.port')}"


def tab_connected(session: str) -> bool | None:
    """Whether Streamlit's server still has this session connected; None without a server.

    session is a Streamlit session id, or an older "<id>#<token>" key. Uses the runtime's
    public session registry (Runtime.is_active_session): a closed tab's session is
    disconnected at once, even though Streamlit keeps its state a while.
    """
    if not Runtime.exists():
        return None
    try:
        return Runtime.instance().is_active_session(session.split("#", 1)[0])
    except AttributeError:  # a Runtime still being built (its session manager not there yet)
        return None


def workspace_id() -> str:
    """This tab's workspace (ui.workspace): whose runs the scheduler shows it.

    The tab is attached to it, so its runs go on while any tab of the workspace is open.
    """
    found = workspace.current_id()
    ctx = get_script_run_ctx()
    if ctx is not None:
        scheduler().attach(found, ctx.session_id)
    return found


def keeps_work() -> bool:
    """Whether this server keeps runs in a store (not with MNIST_LAB_STORE=memory)."""
    return scheduler().keeps_work()


def handed_in_runs() -> list:
    """Every handed-in run of the class, from the store (the teacher's Class page)."""
    return scheduler().handed_in()


def store_problem() -> str | None:
    """Why work is not being saved right now, or what happened to the store; None if fine."""
    return scheduler().store_problem()


def runs() -> list[Run]:
    """This workspace's runs, oldest first."""
    return scheduler().runs_of(workspace_id())


def current_run() -> Run | None:
    """The run the Train page shows: the one last started here, else the newest."""
    run = scheduler().get(st.session_state.get(CURRENT_RUN, ""))
    if run is not None and run.workspace == workspace_id():
        return run
    mine = runs()
    return mine[-1] if mine else None


def data_ref(data: Dataset) -> DataRef:
    """Where the workers find data: its source, or the workspace's upload saved for them."""
    if data.kind != "upload":
        return DataRef(data.kind, data.location)
    _, key = scheduler().workspace_data(workspace_id())[UPLOADED]
    return scheduler().upload(workspace_id(), data, key=key)


def start_run(
    config: TrainConfig,
    max_batches: int | None = None,
    kind: str = "train",
    lesson: str | None = None,
) -> Run:
    """Submit a run of config on the workspace's data; LimitError names a limit it breaks.

    kind "range": a learning-rate range test of config instead (its result: run.range_test).
    lesson: the slug of the lesson that starts it (the class view groups by it).
    """
    data = dataset()
    spec = RunSpec(config, data.kind)
    run = scheduler().submit(
        workspace_id(),
        spec,
        data_ref(data),
        data.description,
        len(data.y_train),
        max_batches,
        kind,
        lesson=lesson,
    )
    st.session_state[CURRENT_RUN] = st.session_state[keys.SETTINGS_OF] = run.id  # its settings
    return run


def start_runs(configs: list[tuple[TrainConfig, str, str | None]]) -> list[Run]:
    """Submit a run per (config, kind, lesson tag) on the workspace's data, all or none
    (LimitError says why). The Train page's current run stays what it was: a lesson does not
    take it over."""
    data = dataset()
    ref = data_ref(data)
    requests = [
        (RunSpec(c, data.kind), ref, data.description, len(data.y_train), None, kind, lesson)
        for c, kind, lesson in configs
    ]
    return scheduler().submit_all(workspace_id(), requests)


def model_choices() -> dict[str, str]:
    """Models to predict with, by id: the workspace's usable runs (newest first), the default."""
    choices = {r.id: _model_label(r) for r in reversed(runs()) if r.usable}
    default = _percent(default_model().info.test_accuracy)
    choices[DEFAULT_MODEL_ID] = f"Default model · {default} test"
    return choices


def best_model_id() -> str:
    """The usable model with the highest test accuracy (the default if none is better)."""
    best, best_acc = DEFAULT_MODEL_ID, default_model().info.test_accuracy or 0.0
    for r in runs():
        acc = r.latest_test_accuracy
        if r.usable and not r.active and acc is not None and acc > best_acc:
            best, best_acc = r.id, acc
    return best


def model_by_id(model_id: str) -> Model:
    """The model with that id (a run's latest snapshot), or the default model."""
    run = scheduler().get(model_id)
    if run is not None and run.workspace == workspace_id() and run.usable:
        return run.model()
    return default_model()


def _model_label(run: Run) -> str:
    state = "training" if run.active else run.status
    return f"Run {run.label} · {_percent(run.latest_test_accuracy)} ({state})"


def _percent(acc: float | None) -> str:
    return "–" if acc is None else f"{100 * acc:.2f}%"


def keep_widget_values() -> None:
    """Write the persistent widget keys back, so leaving a page does not reset its inputs."""
    for key in PERSISTENT_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
