"""The steadiness check the Draw page used until 2026-12-08 and the benches keep
(bench/steadiness.py): a real digit keeps its reading under small changes of its 28x28 image, a
non-digit the networks half recognise does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.steadiness import (
    CHANGES,
    MAX_SHIFT,
    MAX_UNSTEADY,
    changed,
    read_steadily,
    small_changes,
    unsteady_score,
)
from mlcore.data import SAMPLE_DIR, load_mnist
from mlcore.digit_check import UNLIKE, load_detector, not_digit_probability, read_canvas
from mlcore.model import load_model

from .nondigits import WOBBLY, family

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "default.npz"


@pytest.fixture(scope="module")
def detector():
    return load_detector()


@pytest.fixture(scope="module")
def model():
    return load_model(DEFAULT_MODEL)


def test_the_small_changes_are_the_same_each_time_and_small():
    changes = small_changes()
    assert changes.shape == (CHANGES, 5) and np.array_equal(changes, small_changes())
    assert np.abs(changes[:, :2]).max() <= MAX_SHIFT and np.abs(changes[:, 2]).max() < 0.2
    assert set(changes[:, 4]) <= {-0.5, 0.0, 0.5}


def test_no_change_leaves_an_image_as_it_is_and_a_shift_moves_it():
    image = np.zeros((28, 28), np.float32)
    image[10:15, 8:12] = 255
    same, moved = changed(image, np.array([[0, 0, 0, 1, 0], [1, 2, 0, 1, 0]])).reshape(2, 28, 28)
    assert np.array_equal(same, image)
    assert np.array_equal(moved[11:16, 10:14], image[10:15, 8:12]) and moved.sum() == image.sum()


def test_real_digits_keep_the_default_models_reading_under_the_changes(detector, model):
    digits = load_mnist(SAMPLE_DIR).X_test[:300].astype(np.float32)  # 95% never flip
    views = changed(digits, small_changes()).reshape(-1, 784)
    answers = model.predict_proba(views).argmax(axis=1).reshape(len(digits), CHANGES)
    kept = answers == model.predict_proba(digits).argmax(axis=1)[:, None]
    assert kept.all(axis=1).mean() > 0.9 and kept.mean() > 0.97
    assert (unsteady_score(digits, detector, model) > MAX_UNSTEADY).mean() < 0.01


def test_a_non_digit_whose_reading_flips_is_doubted_only_with_the_steadiness_check(detector, model):
    name, i = WOBBLY
    canvas = family(name, i + 1, seed=5)[i]
    alone, steady = read_canvas(canvas, detector), read_steadily(canvas, detector, model)
    assert not_digit_probability(alone.pixels, detector)[0] < detector.threshold
    assert alone.doubt is None
    assert steady.doubt.endswith(UNLIKE)
    assert unsteady_score(alone.pixels, detector, model)[0] > MAX_UNSTEADY


def test_changing_many_images_block_by_block_equals_changing_each_alone():
    """changed works VIEWS_AT_ONCE views at a time: 2,100 images x 8 changes cross two
    blocks' edges, and the last images still change as they do alone."""
    digits = load_mnist(SAMPLE_DIR).X_test[:3].astype(np.float32)
    many = np.tile(digits, (700, 1))  # 2,100 images
    changes = small_changes()
    assert np.array_equal(changed(many, changes)[-3:], changed(digits, changes))
