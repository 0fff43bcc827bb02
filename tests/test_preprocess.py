import numpy as np
import pytest

from mlcore.model import load_model
from mlcore.preprocess import area_matrix, canvas_to_mnist, ink_from_rgba, to_mnist

from .conftest import ROOT
from .drawing import draw

DEFAULT_MODEL = ROOT / "models" / "default.npz"


def test_blank_canvas_gives_none():
    assert canvas_to_mnist(np.zeros((280, 280, 4), np.uint8)) is None
    black = np.zeros((280, 280, 4), np.uint8)
    black[..., 3] = 255
    assert canvas_to_mnist(black) is None


def test_output_is_28x28_in_mnist_range_with_the_digit_in_a_20px_box():
    image = canvas_to_mnist(draw("7"))
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.max() == pytest.approx(255) and image.min() == 0
    rows, cols = np.nonzero(image > 0)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 in (20, 21)  # area resampling may touch one more row


def test_centre_of_mass_lands_at_the_centre():
    image = canvas_to_mnist(draw("7", box=(0.0, 0.0, 0.4, 0.4)))
    r, c = np.nonzero(image)
    weights = image[r, c]
    assert abs(np.average(r, weights=weights) - 14) <= 0.75
    assert abs(np.average(c, weights=weights) - 14) <= 0.75


@pytest.mark.parametrize("digit", ["1", "7", "0", "4"])
def test_small_in_a_corner_and_large_in_the_centre_give_nearly_the_same_input(digit):
    small = canvas_to_mnist(draw(digit, box=(0.02, 0.02, 0.32, 0.32), width=6))
    large = canvas_to_mnist(draw(digit, box=(0.05, 0.05, 0.95, 0.95), width=18))
    difference = np.abs(small - large).mean() / 255
    assert difference < 0.06
    assert np.corrcoef(small.ravel(), large.ravel())[0, 1] > 0.85


def test_transparent_background_with_white_ink_reads_as_ink():
    rgba = draw("1")
    rgba[..., 3] = rgba[..., 0]  # ink only where drawn, background transparent
    np.testing.assert_allclose(canvas_to_mnist(rgba), canvas_to_mnist(draw("1")))


def test_ink_rejects_non_rgba_input():
    with pytest.raises(ValueError, match=r"\(H, W, 4\)"):
        ink_from_rgba(np.zeros((28, 28)))


def test_area_matrix_rows_average_to_one_and_preserve_mass():
    m = area_matrix(280, 20)
    np.testing.assert_allclose(m.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(m.sum(), 20.0, rtol=1e-6)
    up = area_matrix(3, 7)
    np.testing.assert_allclose(up.sum(axis=1), 1.0, rtol=1e-6)


def test_mnist_digits_enlarged_onto_the_canvas_come_back_as_themselves(sample_mnist):
    """MNIST's own recipe applied to its own digits (drawn at 10x) reproduces them."""
    correlations = []
    for pixels in sample_mnist.X_test[:50]:
        original = pixels.reshape(28, 28).astype(np.float32)
        back = to_mnist(np.kron(original / 255, np.ones((10, 10))))  # 280 x 280 canvas
        correlations.append(np.corrcoef(back.ravel(), original.ravel())[0, 1])
    assert np.median(correlations) > 0.99
    assert np.mean(np.array(correlations) > 0.9) > 0.8


@pytest.mark.parametrize("digit", ["1", "7", "0", "4"])
def test_a_drawing_goes_through_preprocessing_and_the_default_model_to_its_digit(digit):
    model = load_model(DEFAULT_MODEL)
    for box, width in (((0.1, 0.1, 0.9, 0.9), 22), ((0.55, 0.05, 0.85, 0.4), 8)):
        pixels = canvas_to_mnist(draw(digit, box=box, width=width))
        assert int(np.argmax(model.predict_proba(pixels.ravel()))) == int(digit)
