"""The web server's thread limits: set once per process, never changed by a page's run."""

from __future__ import annotations

import sys

import pytest
from threadpoolctl import OpenBLASController, ThreadpoolController, threadpool_info

from mlcore.threads import set_compute_threads
from ui import server

from .test_draw_page import Drawn
from .test_pages import open_page


def blas_counts() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def limits_set(monkeypatch):
    """Every thread limit set in this process from now on, as threadpoolctl is asked for it."""
    calls = []
    real = ThreadpoolController.limit

    def spy(self, *args, **kwargs):
        calls.append(kwargs or args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ThreadpoolController, "limit", spy)
    return calls


def test_the_web_server_runs_blas_on_one_thread_once_a_page_ran():
    server.configure.cache_clear()  # a fresh server process: not configured yet
    set_compute_threads(2)  # as on two cores
    # threadpoolctl lets one live thread set OpenBLAS's limits: in a server that is the
    # script thread; here the test's thread took it just now, so hand it back.
    OpenBLASController.clear_controlling_thread(force=True)
    open_page()
    assert blas_counts() and set(blas_counts()) == {1}, blas_counts()


def test_reading_a_drawing_leaves_the_servers_thread_limits_alone(monkeypatch, limits_set):
    open_page("pages/draw.py")  # the canvas component registers itself inside a run
    canvas = sys.modules["streamlit_drawable_canvas"]
    monkeypatch.setattr(canvas, "st_canvas", lambda **_: Drawn("7"))
    limits_set.clear()
    at = open_page("pages/draw.py")
    assert at.metric[0].value == "7"  # the drawing was read
    assert limits_set == []


def test_the_augmentation_preview_leaves_the_servers_thread_limits_alone(limits_set):
    at = open_page("pages/train.py")
    limits_set.clear()
    at.selectbox(key="augment").set_value("elastic").run()
    assert "What the network is shown" in [e.label for e in at.expander]  # it was drawn
    assert limits_set == []
