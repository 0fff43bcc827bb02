"""Shared fixtures: the real MNIST files (MNIST_DIR) and the bundled sample, loaded once."""

from __future__ import annotations

import gzip
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from mlcore.data import SAMPLE_DIR, load_mnist
from mlcore.download import SHA256

ROOT = Path(__file__).resolve().parent.parent
SHARED_MNIST = ROOT.parent / "shared" / "datasets" / "mnist"


if not os.environ.get("MNIST_DIR") and SHARED_MNIST.is_dir():
    os.environ["MNIST_DIR"] = str(SHARED_MNIST)  # the app under test reads it too


def mnist_dir() -> Path | None:
    """$MNIST_DIR, else ../shared/datasets/mnist beside the checkout, else None."""
    if os.environ.get("MNIST_DIR"):
        return Path(os.environ["MNIST_DIR"])
    return SHARED_MNIST if SHARED_MNIST.is_dir() else None


def require_mnist_dir() -> Path:
    """The official files' folder. Missing: fails in CI, else skips the test saying why."""
    where = mnist_dir()
    if where is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs the official MNIST files: set MNIST_DIR")
        pytest.skip("the official MNIST files are needed: set MNIST_DIR")
    return where


@pytest.fixture(scope="session")
def full_mnist():
    return load_mnist(require_mnist_dir())


@pytest.fixture(scope="session")
def sample_mnist():
    return load_mnist(SAMPLE_DIR)


class Handler(BaseHTTPRequestHandler):
    """A loopback MNIST mirror: /good/, /missing/ (404), /corrupt/ (wrong content), /cut/."""

    files: ClassVar[dict[str, bytes]] = {}  # "<name>.gz" -> official bytes
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        self.hits.append(self.path)
        mode, _, name = self.path.strip("/").partition("/")
        body = self.files.get(name)
        if mode == "missing" or body is None:
            self.send_error(404)
            return
        if mode == "corrupt":  # a valid gzip whose content is not the official file
            raw = bytearray(gzip.decompress(body))
            raw[-1] ^= 0xFF
            body = gzip.compress(bytes(raw))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "cut":  # promise everything, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server():
    where = require_mnist_dir()
    Handler.files = {f"{n}.gz": (where / f"{n}.gz").read_bytes() for n in SHA256}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
