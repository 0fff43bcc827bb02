"""A trained model: weights plus the input scaling they were trained with; saved as .npz.

Loading checks the zip's member names, each member's declared .npy header (shape, dtype) and
size before it reads any data (mlcore.model_file), never unpickles, then checks the values
are finite, the metadata's types, and that every pixel image gives finite predictions.
Saving to a path writes a temporary file beside it and renames it: an old file survives a
failed save whole.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mlcore.functions import N_CLASSES
from mlcore.model_file import WEIGHTS, ModelFileError, read_members
from mlcore.network import N_INPUTS, Params, predict_proba
from mlcore.scaling import SCALES, Scaling


class ModelSaveError(OSError):
    """A model that could not be saved; the message says what became of the old file and
    where the new weights were kept (.kept, or None if nowhere)."""

    def __init__(self, message: str, kept: Path | None):
        super().__init__(message)
        self.kept = kept


@dataclass(frozen=True)
class ModelInfo:
    """What a model says about its training; the fields pages read have checked types."""

    test_accuracy: float | None = None  # in [0, 1]; None: never measured (or diverged)
    data: str = ""  # the data's description
    run: str = ""  # the run's label, for a run's snapshot
    config: dict[str, Any] = field(default_factory=dict)  # TrainConfig.as_dict(), as saved

    @property
    def learning_rate(self) -> float | None:
        """config's learning rate (checked a positive finite number on load), or None."""
        return self.config.get("learning_rate")

    def as_dict(self) -> dict[str, Any]:
        return {
            "config": self.config,
            "test_accuracy": self.test_accuracy,
            "data": self.data,
            "run": self.run,
        }

    @classmethod
    def from_dict(cls, d: Any) -> ModelInfo:
        """The ModelInfo of a decoded JSON value; ValueError names a field of the wrong type.

        Unknown keys are ignored (files from later versions still load)."""
        if not isinstance(d, dict):
            raise ValueError(f"info must be a JSON object, not {type(d).__name__}")
        acc, config = d.get("test_accuracy"), d.get("config", {})
        if acc is not None and not (_is_number(acc) and 0 <= acc <= 1):
            raise ValueError(f"info's test_accuracy must be a number in [0, 1], got {acc!r:.40}")
        if not isinstance(config, dict):
            raise ValueError(f"info's config must be a JSON object, not {type(config).__name__}")
        rate = config.get("learning_rate")
        if rate is not None and not (_is_number(rate) and rate > 0):
            raise ValueError(f"info's learning_rate must be a positive number, got {rate!r:.40}")
        for key in ("data", "run"):
            if not isinstance(d.get(key, ""), str):
                raise ValueError(f"info's {key} must be a text, not {type(d[key]).__name__}")
        acc = None if acc is None else float(acc)
        return cls(acc, d.get("data", ""), d.get("run", ""), config)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


@dataclass
class Model:
    """params as trained, the scaling that maps raw 0-255 pixels to their input, and info.

    info may be given as a dict (checked by ModelInfo.from_dict: ValueError if ill-typed).
    """

    params: Params
    scaling: Scaling
    info: ModelInfo = field(default_factory=ModelInfo)

    def __post_init__(self):
        if not isinstance(self.info, ModelInfo):
            self.info = ModelInfo.from_dict(self.info)

    def predict_proba(self, pixels: np.ndarray) -> np.ndarray:
        """Probabilities (n, 10) or (10,) for raw pixels (n, 784) or (784,) in 0-255."""
        return predict_proba(self.params, self.scaling.apply(pixels, self.params.dtype))


def save_model(model: Model, target: str | Path | io.BytesIO) -> None:
    """Write model as a compressed .npz to a binary buffer, or to a path through a temporary
    file beside it renamed over it: a failed save leaves an old file whole and raises
    ModelSaveError saying where the new weights were kept instead (the temp folder)."""
    if not isinstance(target, str | Path):
        _write_npz(model, target)
        return
    path = Path(target)
    try:
        _write_beside(model, path, path.parent, mode=0o666 & ~_umask())
    except OSError as e:
        raise _save_failure(model, path, e) from e


def _umask() -> int:
    """This process's umask, read without changing it (os.umask would, for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022  # the usual one, where /proc is not there (macOS, Windows)


def _write_npz(model: Model, fp) -> None:
    np.savez_compressed(
        fp,
        **dict(zip(WEIGHTS, model.params.arrays(), strict=True)),
        scaling=np.array([model.scaling.offset, model.scaling.divisor]),
        scaling_name=np.array(model.scaling.name),
        info=np.array(json.dumps(model.info.as_dict())),
    )


def _write_beside(model: Model, path: Path, folder: Path, mode: int = 0o600) -> Path:
    """Write model to a new file in folder, then rename it to path; nothing left on failure.

    mode: the file's permissions (mkstemp's 0600 made a saved model unreadable to the
    teacher's other accounts and the web server: save_model gives what the umask allows)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".npz.part", dir=folder)
    try:
        if hasattr(os, "fchmod"):  # POSIX (Windows has no such modes)
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fp:
            _write_npz(model, fp)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _save_failure(model: Model, path: Path, error: OSError) -> ModelSaveError:
    """The error of a failed save, after trying to keep the weights in the temp folder."""
    old = f"{path} is unchanged" if path.exists() else f"{path} was not written"
    said = f"could not save the model to {path} ({error.strerror or error}); {old}"
    fd, spare = tempfile.mkstemp(prefix=f"{path.stem}-unsaved-", suffix=".npz")
    os.close(fd)
    try:
        kept = _write_beside(model, Path(spare), Path(spare).parent)
    except OSError as e2:
        os.unlink(spare)
        return ModelSaveError(f"{said}; the new weights could not be kept either ({e2})", None)
    return ModelSaveError(f"{said}; the new weights were kept in {kept}", kept)


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
            arrays = read_members(z, name)
    except ModelFileError:
        raise
    # Hostile bytes go through zipfile, its decompressors and numpy's .npy header parser,
    # whose error types are no contract (BadZipFile, zlib/bz2/lzma errors, RuntimeError for an
    # encrypted member, NotImplementedError for an unknown method, ...): each means unreadable.
    except Exception as e:
        raise ModelFileError(f"{name}: not a readable .npz file ({str(e)[:200]})") from e
    params = Params(*(arrays[k] for k in WEIGHTS))
    _check_params(params, name)
    model = Model(params, _scaling(arrays, name), _info(arrays["info"], name))
    _check_predictions(model, name)
    return model


def _info(text: np.ndarray, name: str) -> ModelInfo:
    """The ModelInfo of the info member's JSON text; ModelFileError if unusable."""
    try:
        value = json.loads(str(text))
    except RecursionError:
        raise ModelFileError(f"{name}: info is not valid JSON (nested too deeply)") from None
    except ValueError as e:  # JSONDecodeError, or an integer of too many digits
        raise ModelFileError(f"{name}: info is not valid JSON ({str(e)[:200]})") from e
    try:
        return ModelInfo.from_dict(value)
    except ValueError as e:
        raise ModelFileError(f"{name}: {e}") from e


def _check_predictions(model: Model, name: str) -> None:
    """Refuse a model whose scaling and weights overflow on some image of 0-255 pixels.

    Bounds, in float64: |scaled pixel| <= x_max, so |z| <= x_max * max column sum |w1| +
    max |b1|; sigmoid outputs lie in [0, 1], so |logit| <= max column sum |w2| + max |b2|.
    """
    p = model.params
    limit = float(np.finfo(p.dtype).max)
    with np.errstate(all="ignore"):
        x = model.scaling.apply(np.array([0.0, 255.0]), p.dtype).astype(np.float64)
        x_max = float(np.abs(x).max())
        z_max = x_max * _max_col_sum(p.w1) + float(np.abs(p.b1).max())
        logit_max = _max_col_sum(p.w2) + float(np.abs(p.b2).max())
        ok = math.isfinite(x_max) and z_max < limit and logit_max < limit
        images = np.stack([np.zeros(N_INPUTS), np.full(N_INPUTS, 255.0)])
        ok = ok and bool(np.all(np.isfinite(model.predict_proba(images))))
    if not ok:
        raise ModelFileError(
            f"{name}: its input scaling and weights make predictions overflow {p.dtype}"
        )


def _max_col_sum(w: np.ndarray) -> float:
    return float(np.abs(w).sum(axis=0, dtype=np.float64).max())


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
