"""A run's resumable state and its reports as bytes and JSON, for a store (no pickle).

A TrainState saved at a report boundary and loaded again continues exactly as the run would
have: weights, the optimizer's state, the generator's state and the pass's row order are kept.
Arrays: p_* the weights, s_* SGD.last_step (with meta "last_rate"). States saved before SGD
existed hold the same numbers as v_* ("velocity") and "velocity_rate": they load as those.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import asdict, fields

import numpy as np

from mlcore.loop import TrainState
from mlcore.network import Params
from mlcore.optim import SGD
from mlcore.progress import Progress

COUNTERS = ("iteration", "batch", "elapsed", "steps", "images_seen")
ARRAYS = ("w1", "b1", "w2", "b2")


class CheckpointError(ValueError):
    """Bytes that are not a checkpoint this version can read; the message says why."""


def state_to_bytes(state: TrainState) -> bytes:
    """state (without its history) as an .npz: params, optimizer, order, rng and counters."""
    sgd = state.optimizer
    arrays = {f"p_{k}": a for k, a in zip(ARRAYS, state.params.arrays(), strict=True)}
    arrays |= {f"s_{k}": a for k, a in zip(ARRAYS, sgd.last_step.arrays(), strict=True)}
    if state.order is not None:  # row indices < 2**31: half the bytes of int64
        arrays["order"] = state.order.astype(np.int32)
    meta = {k: getattr(state, k) for k in COUNTERS} | {"last_rate": sgd.last_rate}
    meta["rng"] = state.rng.bit_generator.state  # Python's json keeps 128-bit ints
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def state_from_bytes(blob: bytes) -> TrainState:
    """The TrainState state_to_bytes saved; CheckpointError if blob is not one."""
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
        meta = json.loads(a.pop("meta").tobytes().decode())
        params = Params(*(a[f"p_{k}"] for k in ARRAYS))
        optimizer = _optimizer(a, meta)
        rng = np.random.default_rng()
        rng.bit_generator.state = meta.pop("rng")
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as e:
        raise CheckpointError(f"not a saved training state ({type(e).__name__}: {e})") from None
    order = a.get("order")
    return TrainState(
        params=params,
        optimizer=optimizer,
        rng=rng,
        order=None if order is None else order.astype(np.intp),
        **{k: meta[k] for k in COUNTERS},
    )


def _optimizer(arrays: dict, meta: dict) -> SGD:
    """The SGD a state saved; an older state's velocity (rate x PyTorch's momentum buffer,
    taken at velocity_rate) is exactly SGD's last_step at last_rate."""
    if "s_w1" in arrays:
        return SGD(Params(*(arrays[f"s_{k}"] for k in ARRAYS)), meta["last_rate"])
    return SGD(Params(*(arrays[f"v_{k}"] for k in ARRAYS)), meta["velocity_rate"])


def params_from_bytes(blob: bytes) -> Params:
    """Only the weights of a saved state (the rest stays unread): a stored run's model."""
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            return Params(*(z[f"p_{k}"] for k in ARRAYS))
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise CheckpointError(f"not a saved training state ({type(e).__name__}: {e})") from None


def progress_to_dict(report: Progress) -> dict:
    """A report as a JSON-able dict (non-finite floats as the strings "nan", "inf", "-inf")."""
    return {k: _float_text(v) for k, v in asdict(report).items()}


def progress_from_dict(values: dict) -> Progress:
    """The report progress_to_dict gave; fields a later version added are ignored."""
    known = {f.name for f in fields(Progress)}
    return Progress(**{k: _text_float(v) for k, v in values.items() if k in known})


def _float_text(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no nan/inf; PostgreSQL's json type refuses them
    return value


def _text_float(value):
    return float(value) if value in ("nan", "inf", "-inf") else value
