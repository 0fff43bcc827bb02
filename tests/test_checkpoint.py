"""A saved training state continues exactly; reports survive JSON (nan included)."""

import io
import json
import math
import zipfile
from dataclasses import asdict, replace

import numpy as np
import pytest

from mlcore.checkpoint import (
    CheckpointError,
    progress_from_dict,
    progress_to_dict,
    state_from_bytes,
    state_to_bytes,
)
from mlcore.scaling import fit_scaling
from mlcore.train import Progress, TrainConfig, new_state, train


@pytest.fixture(scope="module")
def small(sample_mnist):
    s = fit_scaling("standard", sample_mnist.X_train)
    return (
        s.apply(sample_mnist.X_train[:1500]),
        sample_mnist.y_train[:1500],
        s.apply(sample_mnist.X_test[:300]),
        sample_mnist.y_test[:300],
    )


def history_of(config, data, state, stop_after=None, background=None):
    reports = []
    for report in train(config, state, *data, background=background):
        reports.append({k: v for k, v in asdict(report).items() if k != "elapsed"})
        if stop_after is not None and len(reports) == stop_after:
            break
    return reports


@pytest.mark.parametrize(
    ("batch_size", "augment", "dtype"),
    [(None, "none", "float32"), (100, "none", "float64"), (100, "elastic", "float32")],
)
def test_a_state_saved_at_a_report_continues_exactly_as_the_run_would(
    small, sample_mnist, batch_size, augment, dtype
):
    config = TrainConfig(
        iterations=3, batch_size=batch_size, hidden_size=12, augment=augment, dtype=dtype
    )
    data = tuple(a.astype(dtype) if a.dtype.kind == "f" else a for a in small)
    background = fit_scaling("standard", sample_mnist.X_train).background
    whole_state = new_state(config)
    whole = history_of(config, data, whole_state, background=background)
    part = new_state(config)
    first = history_of(config, data, part, stop_after=5, background=background)
    restored = state_from_bytes(state_to_bytes(part))  # as the store keeps it
    rest = history_of(config, data, restored, background=background)
    assert first + rest == whole
    for a, b in zip(restored.params.arrays(), whole_state.params.arrays(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_report_round_trips_through_json_with_nan_and_inf():
    p = Progress(1.5, 3, math.nan, 0.25, None, 2.0, 0.1, done=True, grad_norm_w1=math.inf)
    back = progress_from_dict(progress_to_dict(p))
    assert math.isnan(back.train_loss) and back.grad_norm_w1 == math.inf
    assert replace(back, train_loss=0.0) == replace(p, train_loss=0.0)


def test_a_report_from_a_later_version_drops_fields_it_does_not_know():
    values = progress_to_dict(Progress(1.0, 0, 0.5, 0.9, 0.9, 1.0, 0.1)) | {"new_field": 1}
    assert progress_from_dict(values).train_loss == 0.5


@pytest.mark.parametrize("blob", [b"", b"not a zip", b"PK\x03\x04" + bytes(100)])
def test_bytes_that_are_not_a_state_are_refused_by_name(blob):
    with pytest.raises(CheckpointError, match="not a saved training state"):
        state_from_bytes(blob)


def as_saved_before_sgd(blob: bytes) -> bytes:
    """blob as mlcore.checkpoint wrote it before SGD: the optimizer's arrays named v_*
    ("velocity", rate x PyTorch's momentum buffer) and its rate "velocity_rate"."""
    with np.load(io.BytesIO(blob)) as z:
        arrays = {k.replace("s_", "v_", 1): z[k] for k in z.files}
    meta = json.loads(arrays["meta"].tobytes().decode())
    meta["velocity_rate"] = meta.pop("last_rate")
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def test_a_state_saved_before_sgd_loads_its_velocity_and_continues_exactly(small):
    config = TrainConfig(iterations=2, batch_size=100, hidden_size=12, momentum=0.9)
    whole_state = new_state(config)
    whole = history_of(config, small, whole_state)
    part = new_state(config)
    first = history_of(config, small, part, stop_after=5)
    old = as_saved_before_sgd(state_to_bytes(part))
    assert "s_w1.npy" not in zipfile.ZipFile(io.BytesIO(old)).namelist()
    restored = state_from_bytes(old)
    assert restored.optimizer.last_rate == part.optimizer.last_rate > 0
    rest = history_of(config, small, restored)
    assert first + rest == whole
    for a, b in zip(restored.params.arrays(), whole_state.params.arrays(), strict=True):
        np.testing.assert_array_equal(a, b)
