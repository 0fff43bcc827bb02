"""Session-state keys and cached data shared by the pages.

Read-only MNIST arrays live in st.cache_resource (one copy for every user); a user's runs,
models and uploads live in st.session_state (theirs alone).
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import streamlit as st

from mlcore.data import SAMPLE_DIR, Dataset, load_mnist, locate
from mlcore.model import Model, load_model
from mlcore.scaling import Scaling, fit_scaling
from mlcore.train import TrainConfig
from ui.jobs import Run

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_PATH = ROOT / "models" / "default.npz"
DEFAULT_MODEL_NAME = "Default model (shipped with the app)"

RUNS = "runs"  # list[Run], oldest first
UPLOADED = "uploaded_dataset"  # Dataset from the home page's uploader
SCALED = "uploaded_scaled"  # {scale: (Scaling, X, X_test)} for the uploaded dataset
DATA_KINDS = {
    "directory": "Full MNIST (MNIST_DIR)",
    "cache": "Full MNIST (downloaded)",
    "sample": "Bundled sample of MNIST",
    "upload": "Your uploaded files",
}
# Widget values kept when the user visits another page (Streamlit drops the state of widgets
# a run does not draw, unless the key is written back on every run: app.py does that).
PERSISTENT_KEYS = (
    *(f.name for f in fields(TrainConfig)),
    "preset",
    "softmax_preset",
    "softmax_scale",
    "softmax_dtype",
    "brush",
    "draw_model",
)
UNUSABLE = ("diverged", "failed")  # run statuses whose weights are not worth predicting with


@st.cache_resource(show_spinner="Loading MNIST ...")
def _load_shared(kind: str, where: str) -> Dataset:
    return replace(load_mnist(where), kind=kind)  # load_mnist(where) alone says "directory"


def dataset() -> Dataset:
    """The session's dataset: its upload if any, else the first source found (see mlcore.data)."""
    if UPLOADED in st.session_state:
        return st.session_state[UPLOADED]
    try:
        kind, where = locate()
    except FileNotFoundError:  # a broken MNIST_DIR: source_problem() says so; use the sample
        kind, where = "sample", SAMPLE_DIR
    return _load_shared(kind, str(where))


def source_problem() -> str | None:
    """Why the configured MNIST source cannot be used (a wrong MNIST_DIR), or None."""
    try:
        locate()
    except FileNotFoundError as e:
        return f"{e}. Using the bundled sample instead."
    return None


@st.cache_resource(show_spinner="Scaling the images ...", max_entries=6)
def _scaled_shared(kind: str, where: str, scale: str) -> tuple[Scaling, np.ndarray, np.ndarray]:
    return _scale(_load_shared(kind, where), scale)


def _scale(data: Dataset, scale: str) -> tuple[Scaling, np.ndarray, np.ndarray]:
    scaling = fit_scaling(scale, data.X_train)
    X, X_test = scaling.apply(data.X_train), scaling.apply(data.X_test)
    X.flags.writeable = X_test.flags.writeable = False
    return scaling, X, X_test


def scaled(data: Dataset, scale: str) -> tuple[Scaling, np.ndarray, np.ndarray]:
    """(Scaling, X float32 (n, 784), X_test) for data, computed once per dataset and scale."""
    if data.kind != "upload":
        return _scaled_shared(data.kind, data.location, scale)
    cache = st.session_state.setdefault(SCALED, {})
    if scale not in cache:
        cache[scale] = _scale(data, scale)
    return cache[scale]


@st.cache_resource
def default_model() -> Model:
    return load_model(DEFAULT_MODEL_PATH)


def runs() -> list[Run]:
    return st.session_state.setdefault(RUNS, [])


def current_run() -> Run | None:
    return runs()[-1] if runs() else None


def model_choices() -> list[str]:
    """Names of the models to predict with: the session's runs (newest first), then the default."""
    usable = [r for r in reversed(runs()) if r.state.history and r.status not in UNUSABLE]
    return [f"Your run {r.label}" for r in usable] + [DEFAULT_MODEL_NAME]


def model_named(name: str) -> Model:
    for r in runs():
        if name == f"Your run {r.label}":
            return r.model()
    return default_model()


def run_row(run: Run) -> dict:
    """One row of the runs table."""
    c, h = run.config, run.state.history
    last = h[-1] if h else None
    test = run.state.latest_test_accuracy
    return {
        "run": f"#{run.id}",
        "hidden": c.hidden_size,
        "learning rate": c.learning_rate,
        "batch": "full" if c.batch_size is None else c.batch_size,
        "scaling": c.scale,
        "init": c.init if c.init_scale == 1 else f"{c.init} ×{c.init_scale:g}",
        "momentum": c.momentum,
        "schedule": c.schedule,
        "iterations": f"{0 if last is None else last.iteration:g}/{c.iterations}",
        "status": run.status,
        "test accuracy (%)": None if test is None else round(100 * test, 2),
        "training loss": None if last is None else round(last.train_loss, 4),
        "seconds": None if last is None else round(last.elapsed, 1),
    }


def keep_widget_values() -> None:
    """Write the persistent widget keys back, so leaving a page does not reset its inputs."""
    for key in PERSISTENT_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
