"""Closed tabs' sessions are closed by the sweep (ui/sweep.py), against a real Streamlit Runtime."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref

import pytest
from streamlit.runtime import Runtime, RuntimeConfig
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.state.common import WidgetMetadata
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.web.cache_storage_manager_config import create_default_cache_storage_manager

from ui import sweep

KEEP = 63.0  # seconds, as the app's default (grace 3 + keep 60)


class Client:
    """A browser tab as the runtime sees it: it takes messages and has no headers."""

    headers, cookies, client_context = (), {}, None

    def write_forward_msg(self, msg) -> None:
        pass


class LiveRuntime:
    """A started Streamlit Runtime on an event loop of its own thread, as in `streamlit run`."""

    def __init__(self, script: str):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runtime = Runtime(
            RuntimeConfig(
                script_path=script,
                media_file_storage=MemoryMediaFileStorage("/media"),
                uploaded_file_manager=MemoryUploadedFileManager("/upload"),
                cache_storage_manager=create_default_cache_storage_manager(),
                session_storage=MemorySessionStorage(ttl_seconds=120),  # Streamlit's default
            )
        )
        self.call(self.runtime.start)

    def call(self, fn, *args, **kwargs):
        """fn(*args) on the runtime's event loop (where Streamlit requires it); its result."""

        async def run():
            result = fn(*args, **kwargs)
            return await result if asyncio.iscoroutine(result) else result

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def tab_with_upload(self) -> tuple[str, weakref.ref]:
        """A connected session holding a 1 MB upload; its id and a weak reference to it."""
        sid = self.call(self.runtime.connect_session, client=Client(), user_info={})
        rec = UploadedFileRec("f1", "train-images-idx3-ubyte.gz", "application/gzip", b"x" * 2**20)
        self.runtime.uploaded_file_mgr.add_file(sid, rec)
        app = self.runtime.get_app_session(sid)
        app.session_state["dataset"] = bytearray(2**20)  # what a page keeps for the session
        page_globals = {"data": bytearray(2**20)}  # a page's globals, held by its callback
        callback = eval("lambda: data", page_globals)
        meta = WidgetMetadata("w1", lambda v: v, lambda v: v, "int_value", callback=callback)
        app.session_state._new_widget_state.set_widget_metadata(meta)  # as a widget does
        sweep.note(sid, app)
        return sid, weakref.ref(app)

    def close(self) -> None:
        self.runtime.stop()
        asyncio.run_coroutine_threadsafe(self._wait_stopped(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
        Runtime._instance = None  # the singleton: other tests run without a server

    async def _wait_stopped(self):
        await self.runtime.stopped


@pytest.fixture
def live(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep, "_gone_since", {})  # the server's watch list, this test's alone
    monkeypatch.setattr(sweep, "_apps", {})
    script = tmp_path / "app.py"
    script.write_text("")
    live = LiveRuntime(str(script))
    try:
        yield live
    finally:
        live.close()


def uploads_of(runtime: Runtime, sid: str) -> int:
    return len(runtime.uploaded_file_mgr.get_files(sid, ["f1"]))


def test_the_sweep_uses_the_runtimes_own_event_loop(live):
    # Streamlit 1.67 has no public accessor: this fails if an upgrade changes Runtime.stopped
    assert sweep.event_loop(live.runtime) is live.loop


def test_a_closed_tabs_session_and_uploads_are_freed_without_another_visitor(live):
    rt = live.runtime
    closed, session = live.tab_with_upload()
    still_open, _ = live.tab_with_upload()
    live.call(rt.disconnect_session, closed)
    gc.collect()
    # Streamlit alone keeps both until a later connection: what held 491 MB on a server
    assert uploads_of(rt, closed) == 1 and session() is not None

    assert sweep.sweep(rt, KEEP, now=1000.0) == []  # the clock starts when seen gone
    assert sweep.sweep(rt, KEEP, now=1000.0 + KEEP - 1) == []  # a phone may come back
    assert sweep.sweep(rt, KEEP, now=1000.0 + KEEP) == [closed]
    gc.collect()
    assert uploads_of(rt, closed) == 0
    assert session() is None  # its session_state and everything it held are gone
    assert uploads_of(rt, still_open) == 1 and rt.is_active_session(still_open)
    assert sweep.sweep(rt, KEEP, now=5000.0) == []  # a connected tab is never closed


def test_a_closed_session_that_streamlit_still_holds_keeps_nothing_of_its_state(live):
    """Streamlit's event loop holds the last session it sent to until the next visitor."""
    rt = live.runtime
    closed, session = live.tab_with_upload()
    pinned = session()  # as Runtime._loop_coroutine's local variable does
    live.call(rt.disconnect_session, closed)
    assert "dataset" in pinned.session_state
    sweep.sweep(rt, KEEP, now=1000.0)
    assert sweep.sweep(rt, KEEP, now=1000.0 + KEEP) == [closed]
    assert "dataset" not in pinned.session_state and uploads_of(rt, closed) == 0
    # the widgets' callbacks too (Streamlit 1.67 keeps them here; this fails if that changes)
    assert pinned.session_state._new_widget_state.widget_metadata == {}


def test_a_session_is_closed_before_streamlit_lets_it_go_unclosed():
    assert sweep.close_after(63, 65, 10) == 45  # .streamlit/config.toml's TTL, the default
    assert sweep.close_after(63, 120, 10) == 63
    assert sweep.close_after(8, 5, 1) == 3
    assert sweep.close_after(63, 5, 10) == 0


def test_the_sweep_period_is_bounded_and_a_bad_value_named(capsys):
    assert sweep.sweep_seconds({}) == sweep.SWEEP_DEFAULT
    assert sweep.sweep_seconds({sweep.SWEEP_ENV: "0.5"}) == 0.5
    assert sweep.sweep_seconds({sweep.SWEEP_ENV: "1e9"}) == sweep.SWEEP_BOUNDS[1]
    assert sweep.sweep_seconds({sweep.SWEEP_ENV: "nan"}) == sweep.SWEEP_DEFAULT
    assert sweep.sweep_seconds({sweep.SWEEP_ENV: "soon"}) == sweep.SWEEP_DEFAULT
    assert "MNIST_LAB_SESSION_SWEEP_SECONDS must be a number" in capsys.readouterr().out
