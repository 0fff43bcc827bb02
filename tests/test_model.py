import io

import numpy as np
import pytest

from mlcore.model import Model, ModelFileError, load_model, model_bytes, save_model
from mlcore.network import init_params, predict_proba
from mlcore.scaling import Scaling, fit_scaling


def a_model(hidden=8):
    params = init_params(np.random.default_rng(0), hidden)
    return Model(params, Scaling("standard", 33.3, 78.6), {"test_accuracy": 0.5})


def test_save_then_load_round_trips(tmp_path):
    model = a_model()
    save_model(model, tmp_path / "m.npz")
    loaded = load_model(tmp_path / "m.npz")
    for a, b in zip(model.params.arrays(), loaded.params.arrays(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert loaded.scaling == model.scaling and loaded.info == model.info


def test_model_bytes_load_from_a_buffer():
    loaded = load_model(io.BytesIO(model_bytes(a_model())))
    assert loaded.params.hidden_size == 8


def test_model_scales_raw_pixels_before_predicting():
    model = a_model()
    pixels = np.random.default_rng(1).integers(0, 256, (3, 784))
    expected = predict_proba(model.params, ((pixels - 33.3) / 78.6).astype(np.float32))
    np.testing.assert_allclose(model.predict_proba(pixels), expected, rtol=1e-5)
    assert model.predict_proba(pixels[0]).shape == (10,)


def write(tmp_path, **arrays):
    path = tmp_path / "bad.npz"
    base = dict(np.load(io.BytesIO(model_bytes(a_model()))))
    base.update(arrays)
    np.savez(path, **{k: v for k, v in base.items() if v is not None})
    return path


def test_wrong_shape_is_named(tmp_path):
    with pytest.raises(ModelFileError, match=r"w2 has shape \(8, 9\), expected \(8, 10\)"):
        load_model(write(tmp_path, w2=np.zeros((8, 9), np.float32)))


def test_nan_weights_are_rejected(tmp_path):
    b1 = np.zeros(8, np.float32)
    b1[3] = np.nan
    with pytest.raises(ModelFileError, match="b1 contains nan or inf"):
        load_model(write(tmp_path, b1=b1))


def test_integer_weights_are_rejected(tmp_path):
    with pytest.raises(ModelFileError, match="b2 has dtype int64"):
        load_model(write(tmp_path, b2=np.zeros(10, np.int64)))


def test_missing_arrays_are_named(tmp_path):
    with pytest.raises(ModelFileError, match="missing w1"):
        load_model(write(tmp_path, w1=None))


def test_pickled_objects_are_refused(tmp_path):
    path = write(tmp_path, info=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(ModelFileError, match=r"not a readable \.npz"):
        load_model(path)


def test_a_non_npz_file_is_named(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("hello")
    with pytest.raises(ModelFileError, match=r"notes\.npz: not a readable \.npz"):
        load_model(path)


def test_standard_scaling_statistics_match_numpy(sample_mnist):
    s = fit_scaling("standard", sample_mnist.X_train)
    assert s.offset == pytest.approx(sample_mnist.X_train.mean())
    assert s.divisor == pytest.approx(sample_mnist.X_train.std())
    assert fit_scaling("unit", sample_mnist.X_train).apply(np.array([255])).tolist() == [1.0]
