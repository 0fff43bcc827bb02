"""What a browser test needs running: Debian's Chromium, and `streamlit run app.py` on a free
loopback port, logging to a file and stopped when the test's block ends."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import ROOT, mnist_dir
from . import failure_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def require_browser():
    """In CI a missing browser fails the run; elsewhere the tests skip, saying why."""
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "playwright is not installed (pip install -r requirements-dev.txt)"
    if problem is None and not os.path.exists(CHROMIUM):
        problem = "Debian's chromium is not installed (apt-get install chromium)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {problem}")
        pytest.skip(problem)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(log_path: Path, port: int | None = None, **env_changes: str):
    """`streamlit run app.py` on a free loopback port (or port), its output in log_path,
    with env_changes in its environment; yields the URL."""
    with app_process(log_path, port, **env_changes) as (url, _):
        yield url


@contextlib.contextmanager
def app_process(log_path: Path, port: int | None = None, **env_changes: str):
    """As running_app, yielding (URL, the server's Popen) for a test that kills it."""
    require_browser()
    port = port or free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **env_changes}  # the log line by line
    if mnist_dir() is not None:
        env["MNIST_DIR"] = str(mnist_dir())
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:  # a file: a full pipe would block the server
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless=true",
                f"--server.port={port}",
                "--server.address=127.0.0.1",
                "--browser.gatherUsageStats=false",
                "--server.fileWatcherType=none",
                "--logger.hideWelcomeMessage=false",  # SERVING below: whatever a config says
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = failure_report.track(log_path, proc)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(url, proc, log_path)
            yield url, proc
        finally:
            server.stopping()
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


SERVING = b"You can now view your Streamlit app"  # what `streamlit run` logs once it serves


def _wait_until_healthy(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    """Until url answers healthy and the answer is this proc's: its log says it serves (the
    port free_port found could be taken by another worker's server before this one binds)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200 and SERVING in log_path.read_bytes():
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            output = log_path.read_text(errors="replace")
            pytest.fail(f"streamlit did not start:\n{output}")
        time.sleep(0.2)
