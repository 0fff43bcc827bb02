"""The weights a code run's sandbox sends: a base64 .npz of w1 (785, H) and w2 (H + 1, 10),
read without trusting it. Each member's declared size, its .npy header (shape, float dtype)
and its exact length are checked before its data is read: a small line cannot unpack into
a large array (a decompression bomb), and nothing is unpickled."""

from __future__ import annotations

import base64
import binascii
import io
import zipfile

import numpy as np

from mlcore.network import Params
from runs.code_stream import Broken

HEADER_MAX = 4096  # bytes of a .npy header (NumPy writes 128)


def _member(archive: zipfile.ZipFile, name: str, shape: tuple[int, int]) -> np.ndarray:
    """The float array of shape stored as name, read only if its sizes are the expected."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise Broken(f"no {name}") from None
    most = HEADER_MAX + shape[0] * shape[1] * 8
    if info.file_size > most:
        raise Broken(f"{name} declares {info.file_size:,} bytes")
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        read_header = {
            (1, 0): np.lib.format.read_array_header_1_0,
            (2, 0): np.lib.format.read_array_header_2_0,
        }.get(version)
        if read_header is None:
            raise Broken(f"{name}'s format {version}")
        found, fortran, dtype = read_header(f, max_header_size=HEADER_MAX)
        if found != shape or dtype.kind != "f" or dtype.itemsize not in (4, 8):
            raise Broken(f"{name}: {found} of {dtype}")
        size = shape[0] * shape[1] * dtype.itemsize
        data = f.read(size + 1)  # at most one byte more than it should hold
    if len(data) != size:
        raise Broken(f"{name} holds {len(data):,} bytes")
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran else "C")


def params_of(npz_text: str, config) -> Params:
    """The lab's (w1 (785, H), w2 (H + 1, 10)) as Params, bias rows split off, never unpickled."""
    H = config.hidden_size
    try:
        with zipfile.ZipFile(io.BytesIO(base64.b64decode(npz_text, validate=True))) as archive:
            if set(archive.namelist()) != {"w1.npy", "w2.npy"}:
                raise Broken("members")
            w1 = _member(archive, "w1.npy", (785, H))
            w2 = _member(archive, "w2.npy", (H + 1, 10))
    except (zipfile.BadZipFile, binascii.Error, EOFError, OSError) as e:
        raise Broken(f"weights: {e}") from None
    dtype = np.dtype(config.dtype)
    parts = (w1[1:], w1[0], w2[1:], w2[0])
    return Params(*(np.ascontiguousarray(a, dtype=dtype) for a in parts))
