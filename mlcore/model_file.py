"""The members of a model's .npz, read only after each one's name, .npy header (shape,
dtype) and size are checked: hostile bytes are refused before any data is read or unpickled.
"""

from __future__ import annotations

import zipfile

import numpy as np

from mlcore.functions import N_CLASSES
from mlcore.network import N_INPUTS

WEIGHTS = ("w1", "b1", "w2", "b2")
MEMBERS = (*WEIGHTS, "scaling", "scaling_name", "info")  # each stored as "<name>.npy"
MAX_HIDDEN = 10_000  # the app offers <= 1,000; w1 of 784 x 10,000 float64 is 63 MB
MAX_TEXT = 100_000  # characters in scaling_name / info


class ModelFileError(ValueError):
    """A model file that cannot be used; the message says why."""


def read_members(z: zipfile.ZipFile, name: str) -> dict[str, np.ndarray]:
    """The arrays of z, after every member's name, header and size have been checked."""
    infos = {i.filename: i for i in z.infolist()}
    expected = {f"{k}.npy" for k in MEMBERS}
    extra = sorted(set(infos) - expected)
    if extra or len(infos) != len(z.infolist()):
        raise ModelFileError(
            f"{name}: not a model file (unexpected {', '.join(extra) or 'copies'})"
        )
    missing = [k for k in MEMBERS if f"{k}.npy" not in infos]
    if missing:
        raise ModelFileError(f"{name}: not a model file (missing {', '.join(missing)})")
    headers = {k: _npy_header(z, infos[f"{k}.npy"], name, k) for k in MEMBERS}
    hidden = headers["w1"][0][1] if len(headers["w1"][0]) == 2 else -1
    for key, (shape, dtype, _, offset) in headers.items():
        _check_header(key, shape, dtype, hidden, name)
        declared = offset + int(np.prod(shape)) * dtype.itemsize  # small: shape was checked
        if infos[f"{key}.npy"].file_size != declared:
            size = infos[f"{key}.npy"].file_size
            raise ModelFileError(
                f"{name}: {key} is {size:,} bytes, its header declares {declared:,}"
            )
    return {k: _npy_data(z, infos[f"{k}.npy"], *headers[k]) for k in MEMBERS}


def _npy_header(z: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, key: str):
    """(shape, dtype, fortran_order, data offset) from a member's .npy header; checks its size."""
    if info.flag_bits & 0x1:  # zipfile would say "File <ZipInfo ...> is encrypted"
        raise ModelFileError(
            f"{name}: not a readable .npz file ({key} is encrypted: a model file is never "
            "password-protected)"
        )
    with z.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        if version not in ((1, 0), (2, 0)):
            raise ModelFileError(f"{name}: {key} is a .npy of unsupported version {version}")
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else None
        shape, fortran, dtype = (read or np.lib.format.read_array_header_2_0)(fp)
        offset = fp.tell()
    if dtype.hasobject:
        raise ModelFileError(f"{name}: not a readable .npz file ({key} holds pickled objects)")
    return shape, dtype, fortran, offset


def _check_header(key: str, shape: tuple, dtype: np.dtype, hidden: int, name: str) -> None:
    """Shape and dtype of member key as declared, against a model of hidden units."""
    if key in ("scaling_name", "info"):
        if shape != () or dtype.kind != "U" or dtype.itemsize > 4 * MAX_TEXT:
            raise ModelFileError(f"{name}: {key} is not a short text ({dtype}, shape {shape})")
        return
    expected = {
        "w1": (N_INPUTS, hidden),
        "b1": (hidden,),
        "w2": (hidden, N_CLASSES),
        "b2": (N_CLASSES,),
        "scaling": (2,),
    }[key]
    if shape != expected or not 1 <= hidden <= MAX_HIDDEN:
        rule = f"1 <= H <= {MAX_HIDDEN:,}" if key == "w1" else f"{expected}"
        raise ModelFileError(f"{name}: {key} has shape {shape}, expected {rule}")
    if dtype not in (np.float32, np.float64):
        raise ModelFileError(f"{name}: {key} has dtype {dtype}, expected float32/float64")


def _npy_data(z: zipfile.ZipFile, info, shape, dtype, fortran, offset) -> np.ndarray:
    """The array of a member whose header was checked: exactly its declared bytes."""
    with z.open(info) as fp:
        fp.seek(offset)
        data = fp.read(info.file_size - offset)
    array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    return array.copy()
