"""Reading and writing MNIST's IDX files (gzip-compressed or not), with header checks.

The header is checked against the real byte length before anything is allocated, and
every problem is an IdxError naming the file, never a bare numpy reshape error.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions (n, rows, cols)
LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension (n,)
GZIP_MAGIC = b"\x1f\x8b"
MAX_BYTES = 1 << 30  # no IDX file of this project comes near 1 GiB: larger is corrupt
# Real image files shrink about 5 times under gzip (MNIST 4.8, its labels 2); a "gzip bomb"
# shrinks ~1,000 times (89 kB -> 94 MB). A file may unpack to at most this many times its
# compressed size (or SMALL_UNPACKED, whatever its size), checked before the bulk is unpacked.
MAX_GZIP_RATIO = 40
SMALL_UNPACKED = 1 << 20


class IdxError(ValueError):
    """A file that is not a valid MNIST IDX file; the message names the file and the problem.

    plain: the same in words for a student (the message keeps the technical detail).
    """

    def __init__(self, message: str, plain: str = ""):
        super().__init__(message)
        self.plain = plain or message


def read_idx(path: str | Path, expected_magic: int, max_items: int | None = None) -> np.ndarray:
    """Read an IDX file from disk: images (n, rows, cols) or labels (n,), uint8.

    An uncompressed file's header (its magic, shape and max_items) and its size on disk are
    checked before its data is read; a gzip file is bounded in size on disk first, and its
    header is checked before the bulk is decompressed (parse_idx).
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            head, size = f.read(16), os.fstat(f.fileno()).st_size
            if head[:2] != GZIP_MAGIC and not path.name.endswith(".gz"):
                shape, total = _header(head, path.name, expected_magic, max_items)
                _check_size(path.name, expected_magic, shape, total, size)
            elif size > MAX_BYTES:
                raise IdxError(f"{path.name}: {size:,} bytes, an absurd size for an IDX file")
            f.seek(0)
            data = f.read()  # not head + the rest: that would copy the whole file once more
    except OSError as e:
        raise IdxError(f"{path.name}: cannot be read ({e.strerror or e})") from e
    return parse_idx(data, path.name, expected_magic, max_items)


def parse_idx(
    data: bytes, name: str, expected_magic: int, max_items: int | None = None
) -> np.ndarray:
    """Parse the bytes of an IDX file (gzip or plain); name is used in error messages.

    max_items bounds the images (or labels) the header may declare, checked before anything
    is decompressed or allocated.
    """
    if data[:2] == GZIP_MAGIC:
        plain = _gunzip(data, name, expected_magic, max_items)
        return _parse_plain(plain, name, expected_magic, max_items)
    if name.endswith(".gz"):
        raise IdxError(f"{name}: not a gzip file (it does not start with the gzip signature)")
    return _parse_plain(data, name, expected_magic, max_items)


def _header(
    head: bytes, name: str, expected_magic: int, max_items: int | None = None
) -> tuple[tuple[int, ...], int]:
    """Check magic and dimensions in the first bytes; return (shape, total byte length)."""
    kind = "image" if expected_magic == IMAGES_MAGIC else "label"
    if len(head) < 4:
        raise IdxError(f"{name}: truncated: {len(head)} bytes, too short for an IDX header")
    (magic,) = struct.unpack(">i", head[:4])
    if magic != expected_magic:
        raise IdxError(
            f"{name}: wrong magic number {magic} (expected {expected_magic} for an {kind} file)"
        )
    ndim = magic & 0xFF
    header_len = 4 + 4 * ndim
    if len(head) < header_len:
        raise IdxError(f"{name}: truncated inside its {header_len}-byte header")
    shape = struct.unpack(f">{ndim}I", head[4:header_len])
    if kind == "image" and shape[1:] != (28, 28):
        raise IdxError(f"{name}: images are {shape[1]}x{shape[2]}, expected 28x28")
    if max_items is not None and shape[0] > max_items:
        raise IdxError(
            f"{name}: {shape[0]:,} {kind}s, more than the {max_items:,} this server accepts "
            f"(full MNIST has 60,000; MNIST_LAB_MAX_UPLOAD_IMAGES sets the limit)"
        )
    total = header_len + int(np.prod(shape, dtype=np.int64))
    if total > MAX_BYTES:
        raise IdxError(f"{name}: header declares {shape}, an absurd size ({total:,} bytes)")
    return shape, total


def _parse_plain(data: bytes, name: str, expected_magic: int, max_items=None) -> np.ndarray:
    shape, total = _header(data[:16], name, expected_magic, max_items)
    _check_size(name, expected_magic, shape, total, len(data))
    array = np.frombuffer(data, dtype=np.uint8, offset=total - int(np.prod(shape))).reshape(shape)
    if expected_magic == LABELS_MAGIC and array.size and array.max() > 9:
        raise IdxError(f"{name}: label {int(array.max())} is not a digit 0-9")
    return array


def _check_size(name: str, magic: int, shape: tuple, total: int, size: int) -> None:
    """IdxError unless a plain file of size bytes holds exactly the total its header declares."""
    if size < total:
        raise IdxError(
            f"{name}: truncated: header declares {shape} ({total:,} bytes), file has {size:,}",
            _cut_short(name, magic, total, size),
        )
    if size > total:
        raise IdxError(f"{name}: {size - total:,} unexpected bytes after the declared data")


def _gunzip(data: bytes, name: str, expected_magic: int, max_items=None) -> bytes:
    """Decompress, never past the size the header declares (checked before the bulk)."""
    try:
        head = zlib.decompressobj(wbits=31).decompress(data, 16)
        shape, total = _header(head, name, expected_magic, max_items)
        _check_ratio(name, total, len(data))
        d = zlib.decompressobj(wbits=31)
        plain = d.decompress(data, total + 1)  # one byte more than declared shows a lie
    except zlib.error as e:
        raise IdxError(f"{name}: corrupt gzip data ({e})", _cut_short(name, expected_magic)) from e
    if len(plain) > total:
        raise IdxError(f"{name}: holds more than the {total:,} bytes its header declares")
    if not d.eof:  # zlib checks the trailer's CRC and size at the end of the stream
        raise IdxError(
            f"{name}: truncated gzip stream: header declares {shape} ({total:,} bytes), "
            f"the compressed data ends after {len(plain):,}",
            _cut_short(name, expected_magic, total, len(plain)),
        )
    if d.unused_data:
        raise IdxError(
            f"{name}: {len(d.unused_data):,} bytes of extra data after the end of the gzip "
            "stream (not an official file, or two files joined)"
        )
    return plain


def _check_ratio(name: str, total: int, compressed: int) -> None:
    """IdxError if total unpacked bytes from compressed ones is more than real data ever is."""
    if total > max(SMALL_UNPACKED, MAX_GZIP_RATIO * compressed):
        raise IdxError(
            f"{name}: {_size(compressed)} that would unpack to {_size(total)}, "
            f"{total // compressed:,} times its size: real image files shrink about 5 times "
            f"(at most {MAX_GZIP_RATIO} accepted); refused before unpacking"
        )


def _cut_short(name: str, magic: int, expected: int | None = None, found: int | None = None):
    """The plain-words message for a file that ends early or is damaged."""
    if expected is None:
        return f"{name}: this file is damaged (its compressed data is corrupt)"
    kind = "images" if magic == IMAGES_MAGIC else "labels"
    return (
        f"{name}: this file is cut short or damaged "
        f"(expected {_size(expected)} of {kind}, found {_size(found)})"
    )


def _size(n: int) -> str:
    """Bytes for a person: 47 MB, 2.4 kB, 16 bytes."""
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{n} bytes"


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write uint8 images (n, 28, 28) or labels (n,) as IDX; gzip-compressed if path ends .gz."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    magic = IMAGES_MAGIC if array.ndim == 3 else LABELS_MAGIC
    if array.ndim not in (1, 3):
        raise ValueError(
            f"IDX arrays here are (n,) labels or (n, 28, 28) images, got {array.shape}"
        )
    data = struct.pack(f">i{array.ndim}I", magic, *array.shape) + array.tobytes()
    path = Path(path)
    if path.suffix == ".gz":
        data = gzip.compress(data, compresslevel=9, mtime=0)  # mtime=0: reproducible bytes
    path.write_bytes(data)
