"""Shared fixtures: the real MNIST files (MNIST_DIR) and the bundled sample, loaded once."""

from __future__ import annotations

import gzip
import os
import tempfile
import threading
import time
import zlib
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

# The run store of the app under test (AppTest and the servers the e2e tests start): a SQLite
# file of this test run's own, never the user's data folder.
# Each pytest-xdist worker has its own (workers inherit the environment of the process that
# started them, so a store that process made is replaced).
_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "main")
_MADE_BY = os.environ.get("MNIST_LAB_TEST_STORE_OF")  # unset: the user chose MNIST_LAB_STORE
if not os.environ.get("MNIST_LAB_STORE") or (_MADE_BY and _MADE_BY != _PROCESS):
    _store_dir = tempfile.mkdtemp(prefix=f"mnist-lab-test-store-{_PROCESS}-")
    os.environ["MNIST_LAB_STORE"] = f"sqlite:///{_store_dir}/runs.sqlite"
    os.environ["MNIST_LAB_TEST_STORE_OF"] = _PROCESS


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
def postgres_admin():
    """The admin URL of one PostgreSQL server for this process's tests (each test makes a new
    database on it: tests.postgres.new_database)."""
    from .postgres import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A new, empty store's URL: an SQLite file, then a PostgreSQL database (one code path)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.sqlite'}"
    from .postgres import new_database

    return new_database(request.getfixturevalue("postgres_admin"))


@pytest.fixture(scope="session")
def sample_mnist():
    return load_mnist(SAMPLE_DIR)


class Handler(BaseHTTPRequestHandler):
    """A loopback MNIST mirror: /good/, /missing/ (404), /corrupt/ (wrong content), /cut/,
    /endless/ (the file, then zeros for ever), /negative/ and /nonnumeric/ (the file under a
    Content-Length of -1 or "lots"),
    /bomb/ (a gzip of zeros without end), /stall/ (headers, then silence), /trickle/ (a byte at a
    time, never stalling long enough for a socket timeout). The last three stop after
    MISBEHAVE_SECONDS so that a test that fails cannot hang the suite.
    """

    files: ClassVar[dict[str, bytes]] = {}  # "<name>.gz" -> official bytes
    corrupted: ClassVar[dict[str, bytes]] = {}  # made once: gzip of 47 MB takes seconds
    hits: ClassVar[list[str]] = []
    MISBEHAVE_SECONDS = 10.0
    BAD_LENGTHS: ClassVar[dict[str, str]] = {"negative": "-1", "nonnumeric": "lots"}

    def do_GET(self):
        self.hits.append(self.path)
        mode, _, name = self.path.strip("/").partition("/")
        body = self.files.get(name)
        if mode == "missing" or body is None:
            self.send_error(404)
            return
        if mode in ("endless", "bomb", "stall", "trickle"):
            self.misbehave(mode, body)
            return
        if mode == "corrupt":  # a valid gzip whose content is not the official file
            if name not in self.corrupted:
                raw = bytearray(gzip.decompress(body))
                raw[-1] ^= 0xFF
                self.corrupted[name] = gzip.compress(bytes(raw), compresslevel=1)
            body = self.corrupted[name]
        self.send_response(200)
        self.send_header("Content-Length", self.BAD_LENGTHS.get(mode, str(len(body))))
        self.end_headers()
        if mode == "cut":  # promise everything, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def misbehave(self, mode: str, body: bytes) -> None:
        self.send_response(200)
        if mode in ("stall", "trickle"):  # the others: no Content-Length, a stream without end
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        deadline = time.monotonic() + self.MISBEHAVE_SECONDS
        try:
            if mode == "endless":  # the real file, then zeros for ever
                self.wfile.write(body)
                while time.monotonic() < deadline:
                    self.wfile.write(bytes(1 << 16))
            elif mode == "bomb":  # a valid gzip stream of zeros that never ends
                deflate, zeros = zlib.compressobj(wbits=31), bytes(1 << 20)
                while time.monotonic() < deadline:
                    self.wfile.write(deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH))
            elif mode == "trickle":  # a byte every 50 ms: never silent long enough to time out
                for byte in body:
                    if time.monotonic() > deadline:
                        break
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.05)
            else:  # stall: the headers, then nothing
                time.sleep(min(self.MISBEHAVE_SECONDS, 3.0))
        except OSError:  # the client gave up: what the test wants
            pass
        self.close_connection = True

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
