"""Downloading the official MNIST files from public mirrors, verified and written atomically.

Each file is tried on each mirror in turn; a file is kept only if the SHA-256 of its
decompressed bytes matches the published value, and only ever under a temporary name
until then. A transfer is bounded in bytes (each file's known size) and in time (a socket
timeout for silence, a deadline per file for a trickle). Progress goes to a callback.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
# Published SHA-256 of each *decompressed* file (the .gz bytes differ between mirrors).
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
# Sizes of each file: (its .gz on yann.lecun.com, decompressed). The decompressed size is exact
# on every mirror; the .gz bytes differ (ossci's train-images.gz is 9,719,438 bytes, `gzip -1`
# of it 10,979,563: 1.11x), so a transfer may exceed the official .gz size GZ_SLACK times.
SIZES = {
    "train-images-idx3-ubyte": (9_912_422, 47_040_016),
    "train-labels-idx1-ubyte": (28_881, 60_008),
    "t10k-images-idx3-ubyte": (1_648_877, 7_840_016),
    "t10k-labels-idx1-ubyte": (4_542, 10_008),
}
GZ_SLACK = 1.5
SOCKET_TIMEOUT = 10.0  # seconds without a byte (connecting or reading): the mirror has stalled
FILE_DEADLINE = 120.0  # seconds for one file from one mirror: 11 MB at >= 100 kB/s
CHUNK = 1 << 16


def configured_mirrors() -> tuple[str, ...]:
    """$MNIST_MIRRORS (space-separated base URLs, e.g. a campus mirror) if set, else MIRRORS."""
    urls = os.environ.get("MNIST_MIRRORS", "").split()
    return tuple(u if u.endswith("/") else u + "/" for u in urls) or MIRRORS


class DownloadProgress(NamedTuple):
    """One progress event: bytes_total is None when the server sent no Content-Length."""

    file: str
    file_index: int
    n_files: int
    bytes_done: int
    bytes_total: int | None
    mirror: str


class MirrorFailure(NamedTuple):
    """Why one mirror did not deliver one file, in words for a student."""

    file: str  # e.g. "train-images-idx3-ubyte.gz"
    mirror: str  # base URL
    reason: str


class DownloadError(RuntimeError):
    """No mirror delivered a verified copy of a file; .failures holds every attempt."""

    def __init__(self, file: str, failures: Sequence[MirrorFailure]):
        self.file = file
        self.failures = tuple(failures)
        lines = (f"{f.mirror}: {f.reason}" for f in self.failures)
        super().__init__(f"could not download {file}:\n  " + "\n  ".join(lines))


def download_mnist(
    dest: str | Path,
    mirrors: Sequence[str] | None = None,
    progress: Callable[[DownloadProgress], None] | None = None,
    files: Sequence[str] = tuple(SHA256),
) -> Path:
    """Download files (names without .gz) into dest as <name>.gz; return dest.

    Files already in dest are kept. Raises DownloadError if some file could not be had.
    mirrors defaults to configured_mirrors().
    """
    mirrors = configured_mirrors() if mirrors is None else mirrors
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(files):
        target = dest / f"{name}.gz"
        if target.exists():
            continue
        failures = []
        for mirror in mirrors:
            try:
                _fetch_verified(
                    f"{mirror}{name}.gz",
                    name,
                    target,
                    _reporter(progress, name, i, len(files), mirror),
                )
                break
            except (OSError, ValueError, zlib.error, http.client.HTTPException) as e:
                failures.append(MirrorFailure(f"{name}.gz", mirror, _describe(e)))
        else:
            raise DownloadError(f"{name}.gz", failures)
    return dest


def _reporter(progress, name, index, n_files, mirror):
    if progress is None:
        return lambda done, total: None
    return lambda done, total: progress(DownloadProgress(name, index, n_files, done, total, mirror))


def _fetch_verified(url: str, name: str, target: Path, report) -> None:
    """Stream url into a temporary file beside target; rename it only once verified."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with (
            os.fdopen(fd, "wb") as out,
            urllib.request.urlopen(url, timeout=SOCKET_TIMEOUT) as response,
        ):
            _copy_bounded(response, out, name, report)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _copy_bounded(response, out, name: str, report) -> None:
    """Copy response to out, checking size, time, gzip integrity and SHA-256 as bytes arrive."""
    deadline = time.monotonic() + FILE_DEADLINE
    max_gz, raw_size = int(SIZES[name][0] * GZ_SLACK), SIZES[name][1]
    total = _announced_length(response.headers.get("Content-Length"))
    if total is not None and total > max_gz:
        raise ValueError(f"announced {total:,} bytes, more than the file's {max_gz:,}")
    digest, unzip, done, raw = hashlib.sha256(), zlib.decompressobj(wbits=31), 0, 0
    report(0, total)
    while chunk := response.read1(CHUNK):  # read1: one recv, so the deadline is checked often
        done += len(chunk)
        if done > max_gz or unzip.eof:
            raise ValueError(f"sent more than the file's {max_gz:,} bytes")
        plain = unzip.decompress(chunk, raw_size + 1 - raw)  # never inflates past the bound
        raw += len(plain)
        if raw > raw_size or unzip.unconsumed_tail:
            raise ValueError(f"inflates to more than the file's {raw_size:,} bytes")
        if unzip.unused_data:
            raise ValueError(f"sent more than the file's {max_gz:,} bytes (data after its end)")
        out.write(chunk)
        digest.update(plain)
        report(done, total)
        if time.monotonic() > deadline:
            raise ValueError(f"too slow: {done:,} bytes in {FILE_DEADLINE:g} seconds")
    if total is not None and done != total:
        raise ValueError(f"transfer cut off after {done:,} of {total:,} bytes")
    if not unzip.eof:
        raise ValueError("transfer cut off: the gzip stream is incomplete")
    if digest.hexdigest() != SHA256[name]:
        raise ValueError("checksum mismatch: the file is not the official one")


def _announced_length(text: str | None) -> int | None:
    """The Content-Length header as bytes (None if absent); ValueError if not a count.

    A negative or non-numeric length is a broken mirror: the next mirror is tried rather
    than a progress bar fed an impossible total.
    """
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit():
        raise ValueError(f"sent an invalid Content-Length {text[:40]!r}")
    return int(text)


def _describe(e: BaseException) -> str:
    """What happened, as the end of a sentence starting with the mirror's name."""
    if isinstance(e, urllib.error.HTTPError):
        return f"answered HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return _describe(e.reason) if isinstance(e.reason, BaseException) else f"{e.reason}"
    if isinstance(e, socket.gaierror):
        return "its name could not be looked up (no internet connection?)"
    if isinstance(e, ConnectionRefusedError):
        return "refused the connection"
    if isinstance(e, TimeoutError):
        return f"stalled: nothing arrived for {SOCKET_TIMEOUT:g} seconds"
    if isinstance(e, http.client.IncompleteRead):
        return f"transfer cut off after {len(e.partial):,} bytes of a read"
    if isinstance(e, zlib.error):
        return f"sent a file that is not valid gzip ({e})"
    return str(e) or type(e).__name__
