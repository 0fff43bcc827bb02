"""A trained model: weights plus the input scaling they were trained with; saved as .npz.

Loading checks the zip's member names, each member's declared .npy header (shape, dtype) and
size before it reads any data, never unpickles, then checks the values are finite.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mlcore.functions import N_CLASSES
from mlcore.network import N_INPUTS, Params, predict_proba
from mlcore.scaling import SCALES, Scaling

WEIGHTS = ("w1", "b1", "w2", "b2")
MEMBERS = (*WEIGHTS, "scaling", "scaling_name", "info")  # each stored as "<name>.npy"
MAX_HIDDEN = 10_000  # the app offers <= 1,000; w1 of 784 x 10,000 float64 is 63 MB
MAX_TEXT = 100_000  # characters in scaling_name / info


class ModelFileError(ValueError):
    """A model file that cannot be used; the message says why."""


@dataclass
class Model:
    """params as trained, the scaling that maps raw 0-255 pixels to their input, and info."""

    params: Params
    scaling: Scaling
    info: dict = field(default_factory=dict)  # config, test accuracy, ...: JSON-able

    def predict_proba(self, pixels: np.ndarray) -> np.ndarray:
        """Probabilities (n, 10) or (10,) for raw pixels (n, 784) or (784,) in 0-255."""
        return predict_proba(self.params, self.scaling.apply(pixels, self.params.dtype))


def save_model(model: Model, target: str | Path | io.BytesIO) -> None:
    """Write model as a compressed .npz (to a path or a binary buffer)."""
    np.savez_compressed(
        target,
        **dict(zip(WEIGHTS, model.params.arrays(), strict=True)),
        scaling=np.array([model.scaling.offset, model.scaling.divisor]),
        scaling_name=np.array(model.scaling.name),
        info=np.array(json.dumps(model.info)),
    )


def model_bytes(model: Model) -> bytes:
    """The .npz file of model as bytes (for a download button)."""
    buf = io.BytesIO()
    save_model(model, buf)
    return buf.getvalue()


def load_model(source: str | Path | io.BytesIO) -> Model:
    """Read and check a .npz written by save_model; raises ModelFileError naming the problem."""
    name = getattr(source, "name", None) or str(source)
    try:
        with zipfile.ZipFile(source) as z:
            arrays = _read_members(z, name)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        if isinstance(e, ModelFileError):
            raise
        raise ModelFileError(f"{name}: not a readable .npz file ({e})") from e
    params = Params(*(arrays[k] for k in WEIGHTS))
    _check_params(params, name)
    scaling = _scaling(arrays, name)
    try:
        info = json.loads(str(arrays["info"]))
    except json.JSONDecodeError as e:
        raise ModelFileError(f"{name}: info is not valid JSON ({e})") from e
    return Model(params, scaling, info)


def _read_members(z: zipfile.ZipFile, name: str) -> dict[str, np.ndarray]:
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


def _check_params(p: Params, name: str) -> None:
    H = p.w1.shape[1] if p.w1.ndim == 2 else -1
    expected = {
        "w1": (N_INPUTS, H),
        "b1": (H,),
        "w2": (H, N_CLASSES),
        "b2": (N_CLASSES,),
    }
    for key, a in zip(WEIGHTS, p.arrays(), strict=True):
        if a.shape != expected[key] or H < 1:
            raise ModelFileError(f"{name}: {key} has shape {a.shape}, expected {expected[key]}")
        if a.dtype not in (np.float32, np.float64):
            raise ModelFileError(f"{name}: {key} has dtype {a.dtype}, expected float32/float64")
        if not np.all(np.isfinite(a)):
            raise ModelFileError(f"{name}: {key} contains nan or inf")
    if len({a.dtype for a in p.arrays()}) != 1:
        raise ModelFileError(f"{name}: weights of mixed dtypes")


def _scaling(arrays: dict, name: str) -> Scaling:
    values, scale_name = arrays["scaling"], str(arrays["scaling_name"])
    if scale_name not in SCALES or values.shape != (2,) or not np.all(np.isfinite(values)):
        raise ModelFileError(f"{name}: invalid input scaling {scale_name!r} {values.tolist()}")
    if values[1] <= 0:
        raise ModelFileError(f"{name}: input scaling divides by {values[1]}")
    return Scaling(scale_name, float(values[0]), float(values[1]))
