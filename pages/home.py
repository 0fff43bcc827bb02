"""Home: what this is, which data is active, download full MNIST, or upload the four files."""

import streamlit as st

from mlcore.data import ROLES, cache_dir, identify_upload, load_uploaded
from mlcore.download import DownloadError, DownloadProgress, download_mnist
from mlcore.idx import IdxError
from ui import state

st.title("MNIST Backprop Lab")
st.markdown(
    "Watch a neural network learn to read handwritten digits: 784 pixels → one layer of "
    "sigmoid units → 10 softmax outputs, trained by backpropagation in plain NumPy. "
    "Move the sliders on **Train**, see why softmax needs care on **Softmax**, and test the "
    "network on your own handwriting on **Draw**."
)
c1, c2, c3 = st.columns(3)
c1.page_link("pages/train.py", label="Train a network", icon=":material/monitoring:")
c2.page_link("pages/softmax.py", label="Naive vs stable softmax", icon=":material/functions:")
c3.page_link("pages/draw.py", label="Draw a digit", icon=":material/draw:")

st.header("Data")
data = state.dataset()
st.markdown(
    f"Active: **{state.DATA_KINDS[data.kind]}** — {len(data.y_train):,} training and "
    f"{len(data.y_test):,} test images  \n`{data.location}`"
)
if data.kind == "sample":
    st.info(
        "The bundled sample (10,000 training / 2,000 test images, 1,000 / 200 per digit) lets "
        "the app work offline. Full MNIST (60,000 / 10,000) learns better."
    )

with st.expander("Download full MNIST (11 MB)", expanded=data.kind == "sample"):
    st.caption(f"From public mirrors, checked against the published SHA-256, into `{cache_dir()}`.")
    if st.button("Download full MNIST", key="download", type="primary"):
        bar = st.progress(0.0, text="Connecting …")

        def show(p: DownloadProgress) -> None:
            share = p.bytes_done / p.bytes_total if p.bytes_total else 0.0
            bar.progress(
                min(1.0, (p.file_index + share) / p.n_files),
                text=f"{p.file}.gz: {p.bytes_done / 1e6:.1f} MB from {p.mirror}",
            )

        try:
            download_mnist(cache_dir(), progress=show)
        except (DownloadError, OSError) as e:
            st.error(f"Download failed — the app keeps using what it has.\n\n{e}")
        else:
            st.session_state.pop(state.UPLOADED, None)
            st.rerun()


def use_upload() -> None:
    """Uploader callback: parse the files once; keep the old data if anything is wrong."""
    blobs, problems = {}, []
    for f in st.session_state["upload"] or []:
        role = identify_upload(f.name)
        if role is None:
            problems.append(f"{f.name}: not one of {', '.join(ROLES.values())}")
        else:
            blobs[role] = (f.name, f.getvalue())
    st.session_state.pop("upload_error", None)
    if not blobs and not problems:
        return
    try:
        if problems:
            raise IdxError("; ".join(problems))
        st.session_state[state.UPLOADED] = load_uploaded(blobs)
    except IdxError as e:
        st.session_state["upload_error"] = f"Not loaded: {e}. The app keeps using the data it had."


with st.expander("Upload the four MNIST files (.gz or uncompressed)"):
    st.file_uploader(
        "The four IDX files, as distributed",
        accept_multiple_files=True,
        key="upload",
        on_change=use_upload,
    )
    if "upload_error" in st.session_state:
        st.error(st.session_state["upload_error"])
    if state.UPLOADED in st.session_state and st.button("Stop using uploaded files"):
        del st.session_state[state.UPLOADED]
        st.rerun()
