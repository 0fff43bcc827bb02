"""Downloading the official MNIST files from public mirrors, verified and written atomically.

Each file is tried on each mirror in turn; a file is kept only if the SHA-256 of its
decompressed bytes matches the published value, and only ever under a temporary name
until then. Progress goes to a callback.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
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


class DownloadError(RuntimeError):
    """No mirror delivered a verified copy; the message lists every attempt."""


def download_mnist(
    dest: str | Path,
    mirrors: Sequence[str] | None = None,
    progress: Callable[[DownloadProgress], None] | None = None,
    files: Sequence[str] = tuple(SHA256),
    timeout: float = 30.0,
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
                    timeout,
                    _reporter(progress, name, i, len(files), mirror),
                )
                break
            except (OSError, ValueError, zlib.error, http.client.HTTPException) as e:
                failures.append(f"{mirror}: {_describe(e)}")
        else:
            raise DownloadError(f"could not download {name}.gz:\n  " + "\n  ".join(failures))
    return dest


def _reporter(progress, name, index, n_files, mirror):
    if progress is None:
        return lambda done, total: None
    return lambda done, total: progress(DownloadProgress(name, index, n_files, done, total, mirror))


def _fetch_verified(url: str, name: str, target: Path, timeout: float, report) -> None:
    """Stream url into a temporary file beside target; rename it only once verified."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with (
            os.fdopen(fd, "wb") as out,
            urllib.request.urlopen(url, timeout=timeout) as response,
        ):
            length = response.headers.get("Content-Length")
            total = int(length) if length else None
            digest, unzip, done = hashlib.sha256(), zlib.decompressobj(wbits=31), 0
            report(0, total)
            while chunk := response.read(CHUNK):
                out.write(chunk)
                digest.update(unzip.decompress(chunk))
                done += len(chunk)
                report(done, total)
        if total is not None and done != total:
            raise ValueError(f"transfer cut off after {done:,} of {total:,} bytes")
        if not unzip.eof:
            raise ValueError("transfer cut off: the gzip stream is incomplete")
        if digest.hexdigest() != SHA256[name]:
            raise ValueError("checksum mismatch: the file is not the official one")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _describe(e: Exception) -> str:
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return f"unreachable ({e.reason})"
    if isinstance(e, http.client.IncompleteRead):
        return f"transfer cut off after {len(e.partial):,} bytes of a read"
    if isinstance(e, zlib.error):
        return f"not a valid gzip file ({e})"
    return str(e) or type(e).__name__
