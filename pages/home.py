"""Home: what this is, which data is active, download full MNIST, or upload the four files."""

from urllib.parse import urlparse

import streamlit as st

from mlcore.data import ROLES, UploadError, cache_dir, identify_upload, load_uploaded, locate
from mlcore.download import DownloadError, DownloadProgress, download_mnist
from mlcore.idx import IdxError
from mlcore.quote import shorten
from ui import keys, lessons, router, state, teacher, visitor, workspace, your_work
from ui.text import plain

router.ensure()  # a first visit by a link (/train) still goes through app.py

UPLOAD_RESULT = keys.UPLOAD_RESULT  # ("ok", names, Dataset) or ("error", [IdxError, ...])
# Measured 2026-11-30, `python -m mlcore.train --data sample` then the model scored on the
# official 10,000 test images, against `--data full`: both with the default preset.
SAMPLE_ACCURACY, FULL_ACCURACY = "94.7%", "97.8%"


def show_download_failure(e: DownloadError) -> None:
    """One sentence per mirror, then what the student can do instead."""
    lines = (
        f"- {plain(urlparse(f.mirror).netloc or f.mirror)}: {plain(f.reason)}." for f in e.failures
    )
    st.error(f"Could not download {e.file} from any mirror:\n" + "\n".join(lines))
    st.info(
        "What you can do:\n"
        "- **Upload** the four MNIST files if you have them (below).\n"
        f"- **Use another mirror**: set {plain('MNIST_MIRRORS')} to its base URL (several: "
        "separated by spaces) and restart the app.\n"
        f"- **Keep using the bundled sample**: the default preset trained on it scores "
        f"{SAMPLE_ACCURACY} on the official test images, against {FULL_ACCURACY} when trained "
        "on full MNIST."
    )


def use_upload() -> None:
    """Uploader callback: check each file, then load all four; keep the old data on a problem."""
    files = st.session_state[keys.UPLOAD] or []
    blobs, problems, dataset = {}, [], None
    for f in files:
        role, name = identify_upload(f.name), shorten(f.name, 120)  # a name is the user's text
        if role is None:
            problems.append(IdxError(f"{name}: not one of {', '.join(ROLES.values())}"))
        else:
            blobs[role] = (name, f.getvalue())
    st.session_state.pop(UPLOAD_RESULT, None)
    try:
        dataset = load_uploaded(blobs) if blobs else None
    except UploadError as e:
        problems += e.problems
    except (IdxError, ValueError) as e:  # missing files; a bad MNIST_LAB_MAX_UPLOAD_IMAGES
        problems.append(e if isinstance(e, IdxError) else IdxError(str(e)))
    if problems:
        st.session_state[UPLOAD_RESULT] = ("error", problems)
    elif dataset is not None:
        state.set_uploaded(dataset)
        sizes = (len(dataset.y_train), len(dataset.y_test))
        st.session_state[UPLOAD_RESULT] = ("ok", [shorten(f.name, 120) for f in files], sizes)


def show_upload_result() -> None:
    """The last upload's outcome, near the top: a confirmation, or each problem in plain words."""
    result = st.session_state.get(UPLOAD_RESULT)
    if result is None:
        return
    if result[0] == "ok":
        _, names, (n_train, n_test) = result
        st.success(
            f"Loaded your files: {n_train:,} training and {n_test:,} test "
            f"images, from {plain(', '.join(names))}. Train and Draw use them now."
        )
        return
    problems = result[1]
    st.error(
        "Not loaded — the app keeps using the data it had:\n"
        + "\n".join(f"- {plain(p.plain)}" for p in problems)
    )
    with st.expander("Details"):
        st.code("\n".join(str(p) for p in problems), language=None)


def full_mnist_found() -> bool:
    """Whether the server already has full MNIST (in MNIST_DIR or the download cache)."""
    try:
        return locate()[0] != "sample"
    except FileNotFoundError:  # a wrong MNIST_DIR: the sample is used
        return False


def offer_download(local: bool, uploading: bool) -> None:
    """The download of full MNIST into the cache folder, with its progress and failures."""
    with st.expander("Download full MNIST (11 MB)", expanded=not uploading):
        where = f" into {plain(str(cache_dir()))}" if local else " into the app's cache folder"
        st.caption(f"From public mirrors, checked against the published SHA-256,{where}.")
        if st.button("Download full MNIST", key="download", type="primary"):
            slot = st.empty()  # the bar goes when the download ends, whichever way
            bar = slot.progress(0.0, text="Connecting …")

            def show(p: DownloadProgress) -> None:
                share = p.bytes_done / p.bytes_total if p.bytes_total else 0.0
                host = urlparse(p.mirror).netloc
                bar.progress(
                    min(1.0, (p.file_index + share) / p.n_files),
                    text=f"{p.file}.gz: {p.bytes_done / 1e6:.1f} MB from {host}",
                )

            try:
                download_mnist(cache_dir(), progress=show)
            except DownloadError as e:
                slot.empty()
                show_download_failure(e)
            except OSError as e:
                slot.empty()
                reason = f" ({plain(str(e))})" if local else ""  # the reason names a server path
                st.error(f"Download failed: the cache folder could not be written{reason}.")
            else:
                state.set_uploaded(None)
                st.session_state.pop(UPLOAD_RESULT, None)
                st.rerun()


st.title("MNIST Backprop Lab")
if note := teacher.class_mode().note:  # class mode: the teacher's word for today, on top
    st.info(plain(note), icon=":material/campaign:")
st.markdown(
    "Watch a neural network learn to read handwritten digits: 784 pixels → one layer of "
    "sigmoid units → 10 softmax outputs, trained by backpropagation in plain NumPy. "
    "Move the sliders on **Train**, see why softmax needs care on **Softmax**, and test the "
    "network on your own handwriting on **Draw**."
)
with st.container(border=True):  # the way in for a newcomer, set apart from the other links
    st.markdown(lessons.invitation(teacher.class_mode().lessons))  # class mode: the open ones
    st.page_link("pages/lessons.py", label="Start here: the lessons", icon=":material/school:")
c1, c2, c3, c4 = st.columns(4)
c1.page_link("pages/train.py", label="Train a network", icon=":material/monitoring:")
c2.page_link("pages/softmax.py", label="Naive vs stable softmax", icon=":material/functions:")
c3.page_link("pages/draw.py", label="Draw a digit", icon=":material/draw:")
c4.page_link("pages/inside.py", label="Inside the network", icon=":material/biotech:")

workspace.offer_switch()  # a "my work" link (it opens Home) never swaps work silently
your_work.section()  # kept runs, one zip of everything, the private link (ui/your_work.py)

st.header("Data")
data = state.dataset()
# The server's paths only for someone at its machine, and never in class mode's locked data.
local = visitor.is_local() and not teacher.class_mode().lock_data
st.markdown(
    f"Active: **{data.label}** — {len(data.y_train):,} training and "
    f"{len(data.y_test):,} test images" + (f"  \n{plain(data.location)}" if local else "")
)
show_upload_result()  # here, not under the uploader: in view without scrolling
if data.kind == "sample":
    st.info(
        "The bundled sample (10,000 training / 2,000 test images, 1,000 / 200 per digit) lets "
        f"the app work offline. Full MNIST (60,000 / 10,000) learns better: the default preset "
        f"scores {FULL_ACCURACY} trained on it, {SAMPLE_ACCURACY} trained on the sample."
    )

if teacher.class_mode().lock_data:  # class mode: the teacher chose the data for everyone
    st.caption("Your teacher has set the data for this class.")
    st.stop()
uploading = UPLOAD_RESULT in st.session_state
if not full_mnist_found():  # with full MNIST in use there is nothing to download
    offer_download(local, uploading)

with st.expander("Upload the four MNIST files (.gz or uncompressed)", expanded=uploading):
    st.file_uploader(
        "The four IDX files, as distributed",
        accept_multiple_files=True,
        key=keys.UPLOAD,
        on_change=use_upload,
    )
    if state.uploaded() is not None and st.button("Stop using uploaded files"):
        state.set_uploaded(None)
        st.session_state.pop(UPLOAD_RESULT, None)
        st.rerun()
