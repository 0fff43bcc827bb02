"""A trained model: weights plus the input scaling they were trained with; saved as .npz.

Files are loaded with allow_pickle=False and checked: keys, shapes, dtype, finite values.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mlcore.functions import N_CLASSES
from mlcore.network import N_INPUTS, Params, predict_proba
from mlcore.scaling import SCALES, Scaling

WEIGHTS = ("w1", "b1", "w2", "b2")


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
        with np.load(source, allow_pickle=False) as f:
            missing = [k for k in (*WEIGHTS, "scaling", "scaling_name", "info") if k not in f]
            if missing:
                raise ModelFileError(f"{name}: not a model file (missing {', '.join(missing)})")
            arrays = {k: f[k] for k in f.files}
    except (OSError, ValueError, EOFError) as e:
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
