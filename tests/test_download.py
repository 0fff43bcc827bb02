"""The downloader against a real HTTP server on 127.0.0.1, serving the official files."""

import gzip
import time

import pytest

from mlcore import download
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


def test_download_error_carries_one_failure_per_mirror(server, tmp_path):
    mirrors = [f"{server}/missing/", f"{server}/corrupt/"]
    with pytest.raises(DownloadError) as err:
        download_mnist(tmp_path, mirrors=mirrors, files=[LABELS])
    failures = err.value.failures
    assert [f.mirror for f in failures] == mirrors
    assert {f.file for f in failures} == {f"{LABELS}.gz"}
    assert "HTTP 404" in failures[0].reason and "checksum" in failures[1].reason


def failed_quickly(tmp_path, mirror, seconds):
    """The DownloadError of one file from mirror, asserting it came within seconds."""
    start = time.monotonic()
    with pytest.raises(DownloadError) as err:
        download_mnist(tmp_path, mirrors=[mirror], files=["train-labels-idx1-ubyte"])
    assert time.monotonic() - start < seconds
    assert leftovers(tmp_path) == []  # not even a temporary file
    return err.value.failures[0].reason


def test_a_mirror_streaming_on_after_the_file_is_cut_off_at_the_files_size(server, tmp_path):
    reason = failed_quickly(tmp_path, f"{server}/endless/", seconds=5)
    assert "more than" in reason


def test_a_gzip_inflating_without_end_is_cut_off_at_the_files_size(server, tmp_path):
    reason = failed_quickly(tmp_path, f"{server}/bomb/", seconds=5)
    assert "more than" in reason


def test_a_stalled_mirror_times_out_and_the_next_one_is_used(server, tmp_path, monkeypatch):
    monkeypatch.setattr(download, "SOCKET_TIMEOUT", 0.5, raising=False)
    start = time.monotonic()
    download_mnist(tmp_path, mirrors=[f"{server}/stall/", f"{server}/good/"], files=[LABELS])
    assert time.monotonic() - start < 2.5
    assert leftovers(tmp_path) == [f"{LABELS}.gz"]


def test_a_trickling_mirror_is_given_up_at_the_files_deadline(server, tmp_path, monkeypatch):
    monkeypatch.setattr(download, "FILE_DEADLINE", 1.0, raising=False)
    reason = failed_quickly(tmp_path, f"{server}/trickle/", seconds=3)
    assert "seconds" in reason


def test_default_timeouts_give_up_on_a_silent_mirror_well_under_30_seconds():
    assert download.SOCKET_TIMEOUT <= 15
    assert set(download.SIZES) == set(SHA256)


def test_a_mirror_whose_name_does_not_resolve_is_described_in_plain_words(tmp_path):
    with pytest.raises(DownloadError) as err:
        download_mnist(tmp_path, mirrors=["http://mirror.invalid/"], files=[LABELS])
    assert err.value.failures[0].reason == (
        "its name could not be looked up (no internet connection?)"
    )


@pytest.mark.parametrize("mode", ["negative", "nonnumeric"])
def test_a_mirror_with_an_invalid_content_length_is_skipped_and_progress_stays_in_range(
    server, tmp_path, mode
):
    events = []
    mirrors = [f"{server}/{mode}/", f"{server}/good/"]
    download_mnist(tmp_path, mirrors=mirrors, progress=events.append, files=[LABELS])
    assert leftovers(tmp_path) == [f"{LABELS}.gz"]
    assert Handler.hits == [f"/{mode}/{LABELS}.gz", f"/good/{LABELS}.gz"]
    for e in events:  # what a progress bar is fed: a fraction in [0, 1] or no total
        assert e.bytes_total is None or 0 <= e.bytes_done <= e.bytes_total


def test_an_invalid_content_length_is_named_in_the_error(server, tmp_path):
    with pytest.raises(DownloadError, match="invalid Content-Length '-1'"):
        download_mnist(tmp_path, mirrors=[f"{server}/negative/"], files=[LABELS])
