"""The Home page through AppTest: download failures and uploads explained in plain words."""

from __future__ import annotations

import gzip

import pytest
from streamlit.testing.v1 import AppTest

from ui import visitor

from .conftest import mnist_dir
from .test_pages import APP, idx, open_page, upload_files
from .test_text import linkable

EVIL = "![i](http://127.0.0.1:9/track.png)"


def unescaped(markdown: str) -> str:
    """Markdown as it reads on screen (the page backslash-escapes user-supplied text)."""
    return markdown.replace("\\", "")


def markdown_texts(at) -> list[str]:
    """Every text the page renders as Markdown (alerts, markdown, captions, expander labels)."""
    kinds = ("markdown", "caption", "info", "success", "warning", "error", "toast")
    texts = [str(e.value) for kind in kinds for e in at.get(kind)]
    return texts + [str(e.label) for e in at.expander]


def failed_download(monkeypatch, tmp_path, mirrors: str):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("MNIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_MIRRORS", mirrors)
    at = open_page()
    at.button(key="download").click().run()
    assert not at.exception
    return at


def test_a_failed_download_removes_the_bar_and_says_what_each_mirror_did(
    server, tmp_path, monkeypatch
):
    at = failed_download(
        monkeypatch, tmp_path, f"http://mirror.invalid/ {server}/missing/ http://127.0.0.1:9/"
    )
    assert not at.get("progress")  # no stale "Connecting …" bar
    error = unescaped(at.error[0].value)
    lines = [line for line in error.splitlines() if line.startswith("- ")]
    assert len(lines) == 3
    assert "mirror" in lines[0] and "no internet connection" in lines[0]
    assert "HTTP 404" in lines[1]
    assert "refused the connection" in lines[2]


def test_a_failed_download_says_what_to_do_next_and_what_the_sample_costs(
    server, tmp_path, monkeypatch
):
    at = failed_download(monkeypatch, tmp_path, f"{server}/missing/")
    steps = unescaped(at.info[-1].value)
    assert "Upload" in steps and "MNIST_MIRRORS" in steps and "sample" in steps
    assert "94.7%" in steps and "97.8%" in steps


def test_a_successful_upload_is_confirmed_with_its_sizes(sample_mnist):
    files = upload_files(sample_mnist)
    at = open_page()
    at.file_uploader(key="upload").set_value(files).run()
    assert "Loaded your files: 50 training and 20 test images" in unescaped(at.success[0].value)


def test_a_corrupt_file_uploaded_alone_is_named_as_cut_short_not_as_missing(full_mnist):
    whole = idx(full_mnist.X_test.reshape(-1, 28, 28))
    at = open_page()
    cut = ("t10k-images-idx3-ubyte.gz", whole[: len(whole) // 3], "application/gzip")
    at.file_uploader(key="upload").set_value([cut]).run()
    error = unescaped(at.error[0].value)
    assert "cut short or damaged (expected 7.8 MB of images, found" in error
    assert "missing" not in error.lower() and "declares" not in error  # the detail is hidden
    details = next(e for e in at.expander if e.label == "Details")
    assert "declares (10000, 28, 28)" in details.get("code")[0].value


def test_an_uploaded_files_name_is_never_rendered_as_markdown():
    name = f"train-images{EVIL}.gz"
    at = open_page()
    at.file_uploader(key="upload").set_value([(name, gzip.compress(b"x"), "x")]).run()
    assert at.error  # the bad file is reported ...
    assert not [t for t in markdown_texts(at) if EVIL in t]  # ... without rendering its name


def home(url: str | None = None, monkeypatch=None) -> AppTest:
    """The Home page seen from a browser at url (None: none sent), connected over loopback
    if monkeypatch is given (AppTest's own peer address is a mock: remote)."""
    if monkeypatch is not None:
        monkeypatch.setattr(visitor, "peer_ip", lambda: None)
    at = AppTest.from_file(APP, default_timeout=60)
    if url is not None:
        at.context["url"] = url
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_home_points_a_newcomer_to_the_lessons_first():
    links = home().get("page_link")
    start = [link for link in links if "Start here" in link.proto.label]
    assert len(start) == 1 and start[0].proto.page == "lessons"


@pytest.mark.parametrize("url", [None, "https://lab.example.org/", "http://192.168.1.20:8501/"])
def test_a_visitor_from_elsewhere_sees_no_server_path(full_mnist, monkeypatch, url):
    shown = "\n".join(markdown_texts(home(url, monkeypatch)))
    assert str(mnist_dir()) not in shown and "/work" not in shown


def test_someone_at_the_server_sees_where_its_data_is(full_mnist, monkeypatch):
    shown = "\n".join(markdown_texts(home("http://localhost:8501/", monkeypatch)))
    assert str(mnist_dir()) in unescaped(shown)
    assert "Active: **Full MNIST (MNIST_DIR)**" in shown


def test_full_mnist_in_use_is_not_offered_for_download(full_mnist):
    at = home("http://127.0.0.1:8501/")
    assert not [b for b in at.button if b.key == "download"]
    assert not [e for e in at.expander if "Download" in e.label]


def test_the_server_decides_local_from_the_browsers_address_and_the_peer():
    assert visitor.local("http://localhost:8501/", None)
    assert visitor.local("http://127.0.0.1:8501/train", None)
    assert visitor.local("http://[::1]:8501/", "::1")
    assert not visitor.local("https://lab.example.org/", None)  # a proxy on the same machine
    assert not visitor.local("http://localhost:8501/", "10.0.0.7")
    assert not visitor.local(None, None)
    assert "/work" not in "\n".join(markdown_texts(home("http://localhost:8501/")))  # mock peer


def test_an_uploaded_file_named_with_a_url_is_shown_inert_and_cut(sample_mnist):
    files = upload_files(sample_mnist)
    name = "http://127.0.0.1:9/" + "n" * 5_000 + ".gz"
    at = open_page()
    at.file_uploader(key="upload").set_value([*files[:3], (name, b"oops", "x")]).run()
    shown = at.error[0].value
    found, length = linkable(shown), len(shown)  # (not the 100 KB text in a failure)
    assert not found
    assert length < 1_000 and "5,022 characters" in shown
