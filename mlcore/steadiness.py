"""Small changes of a 28x28 image: moved, turned, resized, its stroke thicker or thinner.

A real digit keeps a network's answer under them; a shape the networks only half recognise
flips more often (mlcore.digit_check.unsteady_score asks the default model). The changes are
fixed: the same for every drawing, so a drawing's reading does not depend on when it is read.
"""

from __future__ import annotations

import numpy as np

from mlcore.augment import affine_coords, affine_maps, change_thickness, sample_bilinear

# Small changes of the page's 28x28 image (bench/nondigit_consistency.py chose them, K and the
# rule on build kinds only): a real digit keeps the default model's answer under them, a shape
# the networks half recognise flips more often.
CHANGES, SEED = 8, 26
MAX_SHIFT, MAX_TURN, MAX_ZOOM = 2.0, 10.0, 0.1  # pixels, degrees, exp(+-) of the size
VIEWS_AT_ONCE = 8192  # views made at a time: bounds the scratch memory (0.4 GB measured)


def small_changes(
    k: int = CHANGES, scale: tuple = (MAX_SHIFT, MAX_TURN, MAX_ZOOM), seed: int = SEED
) -> np.ndarray:
    """k changes up to scale (pixels, degrees, log of the zoom), the same for every drawing
    -> (k, 5): shift down and across (px), turn (radians), zoom (a factor), stroke (-0.5
    thinner, 0, 0.5 thicker)."""
    rng = np.random.default_rng(seed)
    shift, degrees, log_zoom = scale
    across_down = rng.uniform(-shift, shift, (k, 2))
    turn = np.radians(rng.uniform(-degrees, degrees, k))
    zoom = np.exp(rng.uniform(-log_zoom, log_zoom, k))
    stroke = rng.integers(-1, 2, k) / 2
    return np.column_stack([across_down[:, ::-1], turn, zoom, stroke])


def changed(images: np.ndarray, changes: np.ndarray) -> np.ndarray:
    """Images (n, 28, 28) or (n, 784) under each of changes (k, 5) (small_changes) ->
    (n, k, 784): shifted, turned and zoomed about the image's centre, then the stroke."""
    ink = images.reshape(-1, 784).astype(np.float32)
    n, k = len(ink), len(changes)
    maps = affine_maps(changes[:, 2], changes[:, 3], np.zeros(k), changes[:, :2])  # (k, 2, 3)
    coords = affine_coords(np.full((k, 2), 13.5, np.float32), maps)  # (k, 2, 784)
    out = np.empty((n, k, 784), np.float32)
    step = max(VIEWS_AT_ONCE // max(k, 1), 1)
    for a in range(0, n, step):
        part = ink[a : a + step]
        m = len(part)
        views = sample_bilinear(np.repeat(part, k, axis=0), np.tile(coords, (m, 1, 1)))
        views = change_thickness(views, np.tile(changes[:, 4], m))  # (m * k, 784)
        out[a : a + m] = views.reshape(m, k, 784)
    return out
