import numpy as np
import pytest

from mlcore.augment import (
    AUGMENTS,
    ELASTIC_ALPHA,
    ELASTIC_SIGMA,
    PAD,
    SIDE,
    _gaussian_matrix,
    affine_coords,
    affine_maps,
    augment_batch,
    change_thickness,
    elastic_displacements,
    preview,
    sample_bilinear,
)
from mlcore.model import load_model
from mlcore.scaling import fit_scaling

from .conftest import ROOT


@pytest.fixture(scope="module")
def digits(sample_mnist):
    return sample_mnist.X_train[:64].astype(np.float32), sample_mnist.y_train[:64]


def centre_of_mass(images: np.ndarray) -> np.ndarray:
    """(b, 2) row, column centre of mass of images (b, 784) with background 0."""
    grid = np.indices((28, 28)).reshape(2, -1).T  # (784, 2)
    return images @ grid / images.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("kind", AUGMENTS)
def test_output_has_the_input_shape_and_dtype_float32(digits, kind):
    X = digits[0] / 255
    out = augment_batch(X, np.random.default_rng(0), kind, 0.0)
    assert out.shape == X.shape and out.dtype == np.float32


@pytest.mark.parametrize("kind", AUGMENTS)
def test_same_seed_gives_the_same_output_and_another_seed_another(digits, kind):
    X = digits[0]
    a = augment_batch(X, np.random.default_rng(5), kind, 0.0)
    b = augment_batch(X, np.random.default_rng(5), kind, 0.0)
    np.testing.assert_array_equal(a, b)
    if kind != "none":
        assert not np.array_equal(a, augment_batch(X, np.random.default_rng(6), kind, 0.0))


def test_none_is_the_identity_and_never_modifies_its_input(digits):
    X = digits[0].copy()
    np.testing.assert_array_equal(augment_batch(X, np.random.default_rng(0), "none", 0.0), X)
    augment_batch(X, np.random.default_rng(0), "elastic", 0.0)
    np.testing.assert_array_equal(X, digits[0])


@pytest.mark.parametrize("degrees", [-15, -7, 15])
def test_a_rotated_digit_keeps_its_centre_of_mass(digits, degrees):
    X = digits[0]
    ink = X  # raw pixels: background is already 0
    maps = affine_maps(
        np.full(len(X), np.deg2rad(degrees)),
        np.ones(len(X)),
        np.zeros(len(X)),
        np.zeros((len(X), 2)),
    )
    com = centre_of_mass(ink)
    rotated = sample_bilinear(ink, affine_coords(com.astype(np.float32), maps)).reshape(len(X), -1)
    moved = np.linalg.norm(centre_of_mass(rotated) - com, axis=1)
    assert moved.max() < 0.35  # pixels; bilinear resampling and the field's edge only
    assert not np.allclose(rotated, ink, atol=1)  # it did rotate


def test_a_quarter_turn_about_the_field_centre_moves_a_pixel_exactly():
    image = np.zeros((1, 784), np.float32)
    image[0, 5 * 28 + 20] = 1.0  # row 5, column 20: offset (-8.5, 6.5) from (13.5, 13.5)
    maps = affine_maps(np.array([np.pi / 2]), np.ones(1), np.zeros(1), np.zeros((1, 2)))
    out = sample_bilinear(image, affine_coords(np.full((1, 2), 13.5, np.float32), maps))
    # output (r, c) reads source offset (-(c - 13.5), r - 13.5): the pixel lands at (20, 22)
    assert out[0, 20, 22] == pytest.approx(1.0, abs=1e-5)
    assert out.sum() == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("kind", ["affine", "elastic"])
def test_distortions_keep_the_digit_the_default_model_reads(full_mnist, kind):
    """Labels stay right: the augmentations are label-preserving, which is what makes
    training on them with the original labels valid. The default model, trained on elastic
    distortions, reads nearly all distorted test digits as their label (measured with seeds
    1-3: affine 98.1-98.6%, elastic 92.4-94.1%; the same recipe without augmentation: affine
    91.6-93.2%, elastic 69-71%; chance is 10%)."""
    model = load_model(ROOT / "models" / "default.npz")
    X, y = full_mnist.X_test[:2000].astype(np.float32), full_mnist.y_test[:2000]
    plain = (model.predict_proba(X).argmax(axis=1) == y).mean()
    out = augment_batch(X, np.random.default_rng(1), kind, 0.0)
    distorted = (model.predict_proba(out).argmax(axis=1) == y).mean()
    assert plain > 0.98  # the first 2,000 test digits are the harder ones: 98.25%
    assert distorted > {"affine": 0.97, "elastic": 0.9}[kind]


@pytest.mark.parametrize("scale", ["raw", "unit", "standard"])
def test_background_stays_background_and_values_stay_in_range(digits, scale):
    scaling = fit_scaling(scale, digits[0])
    X = scaling.apply(digits[0])
    background = float(scaling.apply(np.zeros((1, 1)))[0, 0])
    out = augment_batch(X, np.random.default_rng(2), "elastic", background)
    assert out.min() >= min(X.min(), background) - 1e-4 * abs(X).max()
    assert out.max() <= X.max() + 1e-4 * abs(X).max()
    corners = out.reshape(-1, 28, 28)[:, [0, 0, -1, -1], [0, -1, 0, -1]]
    np.testing.assert_allclose(corners, background, atol=1e-5 * abs(X).max())


def test_thickness_dilates_for_positive_amounts_and_erodes_for_negative():
    ink = np.zeros((3, 28, 28), np.float32)
    ink[:, 10:18, 13:15] = 1.0  # a bar 2 px wide
    out = change_thickness(ink, np.array([0.0, 1.0, -1.0])).reshape(3, 28, 28)
    np.testing.assert_array_equal(out[0], ink[0])
    assert out[1].sum() > ink[1].sum() and out[1, 14, 12] == 1.0  # one pixel wider each side
    assert out[2].sum() < ink[2].sum() and out[2].max() == 0.0  # 2 px bar: nothing left inside


def test_elastic_fields_have_the_statistics_of_simards_smoothed_noise():
    """Oracle: alpha * G U G^T with U uniform(-1, 1), G the Gaussian as a Toeplitz matrix."""
    rng = np.random.default_rng(3)
    fields = elastic_displacements(rng, 2000).reshape(-1, 28, 28)
    G = _gaussian_matrix(ELASTIC_SIGMA)
    direct = ELASTIC_ALPHA * G @ rng.uniform(-1, 1, (4000, 28, 28)) @ G.T
    for r, c in [(14, 14), (0, 0), (3, 20)]:
        assert fields[:, r, c].std() == pytest.approx(direct[:, r, c].std(), rel=0.06)
    near = [np.corrcoef(f[:, 14, 14], f[:, 14, 18])[0, 1] for f in (fields, direct)]
    assert near[0] == pytest.approx(near[1], abs=0.05)
    assert 0.8 < fields.std() < 2.0  # pixels: strong enough to matter, digits stay digits


def test_unknown_kind_and_bad_shapes_are_named():
    with pytest.raises(ValueError, match="kind='warp'"):
        augment_batch(np.zeros((2, 784), np.float32), np.random.default_rng(0), "warp", 0.0)
    with pytest.raises(ValueError, match=r"X.shape=\(2, 28\)"):
        augment_batch(np.zeros((2, 28), np.float32), np.random.default_rng(0), "affine", 0.0)


def test_preview_puts_each_original_first_then_its_copies(digits):
    grid = preview(digits[0][:3], np.random.default_rng(0), "elastic", copies=4, gap=2)
    assert grid.shape == (3 * 30 - 2, 5 * 30 - 2) and grid.dtype == np.float32
    np.testing.assert_array_equal(grid[30:58, :28], digits[0][1].reshape(28, 28))
    assert grid[28, 0] == 128  # the gap
    assert 0 <= grid.min() and grid.max() <= 255


def test_sample_bilinear_reads_every_image_in_place_however_many_there_are():
    b = 2**24 // (SIDE + 2 * PAD) ** 2 + 16  # past where float32 offsets stop being exact
    ink = np.random.default_rng(0).random((b, SIDE * SIDE), dtype=np.float32)
    rows, cols = np.indices((SIDE, SIDE)).reshape(2, -1).astype(np.float32)
    coords = np.broadcast_to(np.stack([rows, cols]), (b, 2, SIDE * SIDE)).copy()
    out = sample_bilinear(ink, coords).reshape(b, -1)
    assert not np.flatnonzero(np.any(out != ink, axis=1)).size
