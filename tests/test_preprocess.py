import numpy as np
import pytest

from mlcore.model import load_model
from mlcore.preprocess import (
    MNIST_STROKE_WIDTH,
    area_matrix,
    canvas_to_mnist,
    change_width,
    digit_problem,
    ink_from_rgba,
    stroke_width,
    to_mnist,
)

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


BRUSH_BOXES = {  # where the digit goes: 40% of the canvas in two places, and 90%
    "40% top left": (0.05, 0.08, 0.45, 0.48),
    "40% bottom right": (0.52, 0.5, 0.92, 0.9),
    "90%": (0.05, 0.05, 0.95, 0.95),
}


@pytest.mark.parametrize("digit", ["0", "1", "2", "3", "4", "7"])
def test_the_default_model_reads_a_digit_the_same_at_every_brush_width_and_size(digit):
    """Brushes of 12, 30 and 48 px on a 280-px canvas, digits 40% and 90% of it high.
    Before stroke-width normalisation 8 of these 54 drawings were read as "8"."""
    model = load_model(DEFAULT_MODEL)
    read = {
        (where, width): int(np.argmax(model.predict_proba(canvas_to_mnist(rgba).ravel())))
        for where, box in BRUSH_BOXES.items()
        for width in (12, 30, 48)
        for rgba in [draw(digit, box=box, width=width)]
    }
    assert read == dict.fromkeys(read, int(digit))


def test_stroke_width_of_a_drawn_bar_is_its_brush_width():
    for width in (12, 30, 48):
        bar = ink_from_rgba(draw("1", width=width))
        assert stroke_width(bar) == pytest.approx(width, rel=0.15)  # round caps add outline


def test_stroke_width_of_mnist_digits_lies_in_the_documented_range(sample_mnist):
    widths = [stroke_width(x.reshape(28, 28) / 255) for x in sample_mnist.X_train[:500]]
    low, high = MNIST_STROKE_WIDTH
    assert low < np.median(widths) < high
    assert np.mean((low <= np.array(widths)) & (np.array(widths) <= high)) > 0.7


@pytest.mark.parametrize("width", [12, 48])
def test_a_thick_or_thin_brush_ends_in_mnists_stroke_width_range(width):
    image = canvas_to_mnist(draw("7", box=(0.3, 0.3, 0.7, 0.7), width=width))
    low, high = MNIST_STROKE_WIDTH
    assert low - 0.3 <= stroke_width(image / 255) <= high + 0.3


def test_change_width_thins_and_thickens_a_bar_by_r_on_each_side():
    bar = np.zeros((40, 40), np.float32)
    bar[5:35, 14:26] = 1.0  # 12 px wide
    for r, expected in ((2, 8), (-3, 18), (0.5, 11)):
        out = change_width(bar, r)
        assert out[20].sum() == pytest.approx(expected, abs=0.01)


def test_blank_canvas_and_dots_are_no_digit_but_digits_are():
    blank = np.zeros((280, 280, 4), np.uint8)
    blank[..., 3] = 255
    assert "empty" in digit_problem(blank)
    tiny = draw("1", box=(0.5, 0.5, 0.55, 0.55), width=6)
    assert "too small" in digit_problem(tiny)
    for width in (30, 48, 60):  # a dot, and one smudged by half the brush
        for smudge in (0.0, 0.5):
            dot = [[(0.5, 0.5), (0.5 + smudge * width / 280, 0.5)]]
            assert "dot" in digit_problem(draw(dot, width=width)), (width, smudge)
    for digit in ["0", "1", "2", "3", "4", "7"]:
        for box in BRUSH_BOXES.values():
            for width in (12, 30, 48):
                assert digit_problem(draw(digit, box=box, width=width)) is None
