"""The model picker shared by the pages that use a model (Draw, Inside the network).

Models are chosen by id: a run of this workspace (its latest snapshot, live while it trains),
the default model, or a .npz the user uploaded (checked by load_model; a bad file is named
and the page keeps the model it had).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import streamlit as st

from mlcore.model import Model, ModelFileError, load_model
from mlcore.quote import shorten
from ui import keys, state
from ui.text import plain

UPLOADED_MODELS = keys.UPLOADED_MODELS  # {id: (file name, Model)}, this session's uploads
PICKED = keys.PICKED  # the id the user chose, shared by every page with a picker
MAX_UPLOADED_MODELS = 3  # model files a tab keeps on the server; older ones are let go
MAX_UPLOADED_BYTES = 80 * 2**20  # their weights together (one model of 10,000 hidden units
# in float64 is 63 MB): six 61 MB uploads took the server from 260 to 688 MB


def _add_upload(uploader_key: str) -> None:
    file = st.session_state.get(uploader_key)
    if file is None:
        return
    try:
        model = load_model(io.BytesIO(file.getvalue()))
    except ModelFileError as e:
        st.session_state[keys.PICKER_ERROR] = (shorten(file.name), str(e).split(": ", 1)[-1])
        return
    uploads = st.session_state.setdefault(UPLOADED_MODELS, {})
    model_id = f"upload-{st.session_state.get(keys.UPLOADS_MADE, 0) + 1}"  # never reused
    st.session_state[keys.UPLOADS_MADE] = st.session_state.get(keys.UPLOADS_MADE, 0) + 1
    uploads[model_id] = (shorten(file.name, 80), model)  # a label: the user's text, cut
    kept, let_go = cap_uploads(uploads)
    st.session_state[UPLOADED_MODELS] = kept
    if let_go:
        st.session_state[keys.PICKER_NOTE] = let_go_sentence(let_go)
    st.session_state[PICKED] = model_id


def cap_uploads(uploads: dict[str, tuple[str, Model]]) -> tuple[dict, list[str]]:
    """The newest uploads within MAX_UPLOADED_MODELS and MAX_UPLOADED_BYTES (the newest always
    kept: one model is never above the bytes), and the names of those let go, oldest first."""
    kept, total = {}, 0
    for model_id, (name, model) in reversed(list(uploads.items())):  # newest first
        size = sum(a.nbytes for a in model.params.arrays())
        if not kept or (len(kept) < MAX_UPLOADED_MODELS and total + size <= MAX_UPLOADED_BYTES):
            kept[model_id], total = (name, model), total + size
    let_go = [name for model_id, (name, _) in uploads.items() if model_id not in kept]
    return dict(reversed(list(kept.items()))), let_go


def let_go_sentence(names: list[str]) -> str:
    """What the page says when older uploads were let go (names: the user's, shown as text)."""
    return (
        f"This tab keeps your {MAX_UPLOADED_MODELS} newest model files, "
        f"{MAX_UPLOADED_BYTES // 2**20} MB of weights together, on the server: it let go of "
        f"{', '.join(names)}. Upload a file again to use it."
    )


def choices() -> dict[str, str]:
    """id -> label of every model on offer, the workspace's runs first."""
    options = state.model_choices()
    for model_id, (name, model) in st.session_state.get(UPLOADED_MODELS, {}).items():
        acc = model.info.test_accuracy
        shown = "–" if acc is None else f"{100 * acc:.2f}%"
        options[model_id] = f"Uploaded {name} · {shown} test (as saved)"
    return options


def model_of(model_id: str) -> Model:
    uploads = st.session_state.get(UPLOADED_MODELS, {})
    if model_id in uploads:
        return uploads[model_id][1]
    return state.model_by_id(model_id)


def newest_run_id() -> str | None:
    """The workspace's usable run training now (the newest such), else its newest usable run."""
    usable = [r for r in state.runs() if r.usable]
    training = [r for r in usable if r.active]
    newest = (training or usable)[-1:]  # runs() is oldest first
    return newest[0].id if newest else None


def pick_model(
    key: str, help_text: str, prefer: Callable[[], str | None] | None = None
) -> tuple[str, Model]:
    """A selectbox of models and an uploader; returns (id, Model) of the one chosen.

    Until the user chooses (or after their choice is gone), the page shows prefer()'s model
    if it names one, else the best: the preselection follows the runs as they come.
    """
    options = choices()
    if st.session_state.get(PICKED) not in options:  # not chosen, or its run was dropped
        st.session_state.pop(PICKED, None)
        preferred = prefer() if prefer is not None else None
        st.session_state[key] = preferred if preferred in options else state.best_model_id()
    else:
        st.session_state[key] = st.session_state[PICKED]
    model_id = st.selectbox(
        "Model",
        list(options),
        key=key,
        format_func=options.get,
        help=help_text,
        on_change=lambda: st.session_state.update({PICKED: st.session_state[key]}),
    )
    with st.expander("Use a model file (.npz)"):
        st.file_uploader(
            "A model saved by this app or by python -m mlcore.train --out",
            type=["npz"],
            key=f"{key}_upload",
            on_change=_add_upload,
            args=(f"{key}_upload",),
        )
    if keys.PICKER_NOTE in st.session_state:
        st.info(plain(st.session_state.pop(keys.PICKER_NOTE)))  # file names: never Markdown
    if keys.PICKER_ERROR in st.session_state:
        name, problem = st.session_state.pop(keys.PICKER_ERROR)
        st.error("This file cannot be used as a model; the page keeps the model it had.")
        st.text(f"{name}: {problem}")  # a user's file name: plain text, never Markdown
    return model_id, model_of(model_id)
