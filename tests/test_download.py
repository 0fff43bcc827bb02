"""The downloader against a real HTTP server on 127.0.0.1, serving the official files."""

import gzip

import pytest

from mlcore.data import find_files, load_mnist
from mlcore.download import SHA256, DownloadError, download_mnist
from mlcore.idx import LABELS_MAGIC, read_idx

from .conftest import Handler

LABELS = "t10k-labels-idx1-ubyte"


@pytest.fixture(autouse=True)
def clear_hits():
    Handler.hits.clear()


def leftovers(directory):
    return sorted(p.name for p in directory.iterdir())


def test_download_succeeds_reports_progress_and_loads(server, tmp_path):
    events = []
    download_mnist(tmp_path, mirrors=[f"{server}/good/"], progress=events.append)
    assert find_files(tmp_path) is not None
    assert leftovers(tmp_path) == sorted(f"{n}.gz" for n in SHA256)  # no temporary files left
    data = load_mnist(tmp_path)
    assert data.X_train.shape == (60000, 784)
    last = [e for e in events if e.file == "train-images-idx3-ubyte"][-1]
    assert last.bytes_done == last.bytes_total == len(Handler.files["train-images-idx3-ubyte.gz"])
    assert {e.file_index for e in events} == {0, 1, 2, 3}


def test_a_mirror_answering_404_falls_through_to_the_next(server, tmp_path):
    download_mnist(tmp_path, mirrors=[f"{server}/missing/", f"{server}/good/"], files=[LABELS])
    assert leftovers(tmp_path) == [f"{LABELS}.gz"]
    assert Handler.hits == [f"/missing/{LABELS}.gz", f"/good/{LABELS}.gz"]


def test_a_corrupted_file_is_rejected_nothing_kept_next_mirror_used(server, tmp_path):
    download_mnist(tmp_path, mirrors=[f"{server}/corrupt/", f"{server}/good/"], files=[LABELS])
    assert leftovers(tmp_path) == [f"{LABELS}.gz"]
    got = gzip.decompress((tmp_path / f"{LABELS}.gz").read_bytes())
    assert got == gzip.decompress(Handler.files[f"{LABELS}.gz"])


def test_a_transfer_cut_off_midway_keeps_nothing_and_names_every_failure(server, tmp_path):
    mirrors = [f"{server}/cut/", f"{server}/corrupt/", f"{server}/missing/"]
    with pytest.raises(DownloadError) as err:
        download_mnist(tmp_path, mirrors=mirrors, files=["train-labels-idx1-ubyte"])
    message = str(err.value)
    assert "cut off" in message
    assert "checksum mismatch" in message
    assert "HTTP 404" in message
    assert leftovers(tmp_path) == []


def test_files_already_downloaded_are_not_fetched_again(server, tmp_path):
    download_mnist(tmp_path, mirrors=[f"{server}/good/"], files=[LABELS])
    Handler.hits.clear()
    download_mnist(tmp_path, mirrors=[f"{server}/good/"], files=[LABELS])
    assert Handler.hits == []


def test_an_unreachable_mirror_falls_through(server, tmp_path):
    download_mnist(tmp_path, mirrors=["http://127.0.0.1:9/", f"{server}/good/"], files=[LABELS])
    labels = read_idx(tmp_path / f"{LABELS}.gz", LABELS_MAGIC)
    assert labels.shape == (10000,)
