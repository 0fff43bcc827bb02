"""A drawing on the canvas -> a 28x28 image made the way MNIST's digits were made.

MNIST: the digit's bounding box scaled (keeping its aspect ratio) to fit 20x20 with
anti-aliasing, then placed in a 28x28 field with its centre of mass at the centre.
A brush much thicker or thinner than MNIST's pen, for the digit's size, is first thinned
or thickened so the strokes end up as wide as MNIST's; drawings too small or too round to
be a digit are named by digit_problem.
Small matmuls only: the web server runs BLAS with one thread for them (ui/server.py; with
two they waited, 48 ms instead of ~1 on a busy machine); nothing here changes it.
"""

from __future__ import annotations

import numpy as np

BOX = 20  # longer side of the digit after scaling
SIZE = 28
INK_THRESHOLD = 0.1  # fraction of full ink below which a pixel counts as background
# MNIST's stroke widths, by stroke_width on its 28x28 images (pixels of the 20-px box):
# over the first 20,000 training images, 10th percentile 2.08, median 2.59, 90th 3.50.
# Drawings whose width falls outside this range are brought to its nearer end.
MNIST_STROKE_WIDTH = (2.1, 3.5)
MAX_THINNING = 0.35  # of the stroke width, each side: a blob's width is overestimated
WIDTH_ROUNDS = 3  # corrections of the stroke width, each re-measured
FINE = 4  # strokes are thinned on the crop scaled to FINE * BOX px: steps of 1/4 box pixel
MIN_EXTENT = 0.08  # a drawing less than this fraction of the canvas side is too small
# The drawing's extent over its thickest stroke (twice the largest inscribed radius),
# measured at FINE * BOX px: a round dot scores 1.1, a dot smudged by half the brush width
# 1.67, the stubbiest digits tested ("3", "4" at 40% of the canvas, 48-px brush) 1.82.
MIN_ELONGATION = 1.75


def ink_from_rgba(rgba: np.ndarray) -> np.ndarray:
    """RGBA uint8 (H, W, 4), light ink on dark or transparent -> ink (H, W) in [0, 1]."""
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"expected an RGBA image of shape (H, W, 4), got {rgba.shape}")
    rgb = rgba[..., :3].astype(np.float32)
    luminance = rgb @ np.array([0.299, 0.587, 0.114], np.float32)  # (H, W)
    return luminance * (rgba[..., 3] / np.float32(255 * 255))


def area_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) matrix averaging input cells over each output cell (area resampling)."""
    step = n_in / n_out
    edges = np.arange(n_out + 1) * step
    cells = np.arange(n_in + 1)
    lo = np.maximum(edges[:-1, None], cells[None, :-1])
    hi = np.minimum(edges[1:, None], cells[None, 1:])
    return (np.clip(hi - lo, 0, None) / step).astype(np.float32)


def stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width, in pixels, of ink (H, W) in [0, 1]: 2 * area / outline length.

    A stroke of length L and width w has area ~ L w and outline ~ 2 L. The outline is the
    total variation (sum of |gradient|, central differences), so grey edges count right.
    """
    gy, gx = np.gradient(np.pad(ink.astype(np.float32), 1))  # ink at the edge has an outline
    outline = float(np.hypot(gx, gy).sum())
    return 2 * float(ink.sum()) / outline if outline > 0 else 0.0


def to_mnist(ink: np.ndarray) -> np.ndarray | None:
    """Ink (H, W) in [0, 1] -> MNIST-like pixels (28, 28) float32 in 0-255; None if blank.

    If the strokes, once scaled to the 20-px box, are thinner or thicker than MNIST's, the
    drawing is first thickened or thinned (on a FINE x finer copy) to MNIST's range.
    """
    crop = _crop(ink)
    if crop is None:
        return None
    image, fine, r = _fit(crop), None, 0.0
    most = MAX_THINNING * stroke_width(image / 255)  # px of the box, on each side
    for _ in range(WIDTH_ROUNDS):
        width = stroke_width(image / 255)
        target = float(np.clip(width, *MNIST_STROKE_WIDTH))
        if abs(width - target) < 0.1:
            break
        # Thinning by r on each side also shrinks the box by 2r, and the fit scales it back
        # up: (width - 2r) * BOX / (BOX - 2r) = target. Blur makes this approximate: repeat.
        r = min(r + BOX * (width - target) / (2 * (BOX - target)), most)
        if fine is None:
            fine = _resize(crop, FINE * BOX / max(crop.shape))
        image = _fit(_crop(change_width(fine, r * FINE)))
    return image


def _crop(ink: np.ndarray) -> np.ndarray | None:
    """The bounding box of ink above INK_THRESHOLD, or None if there is none."""
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return None
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _resize(crop: np.ndarray, factor: float) -> np.ndarray:
    """crop (h, w) area-resampled by factor (at least 1 px a side)."""
    h, w = crop.shape
    out_h, out_w = max(1, round(h * factor)), max(1, round(w * factor))
    return area_matrix(h, out_h) @ crop @ area_matrix(w, out_w).T  # (out_h, out_w)


def _fit(crop: np.ndarray) -> np.ndarray:
    """Crop (h, w) scaled to BOX on its longer side, 0-255, centred by mass in 28x28."""
    digit = _resize(crop.astype(np.float32), BOX / max(crop.shape))
    digit *= 255 / digit.max()
    return _centre_by_mass(digit)


def change_width(ink: np.ndarray, r: float) -> np.ndarray:
    """Ink (h, w) with every stroke r px thinner on each side (r < 0: thicker) -> (h+2p, w+2p).

    Grey-scale erosion (min) or dilation (max) in |r| steps of one pixel, alternating a
    cross and a square so the steps add up to a near-disc (an octagon); the last step is
    blended by the fraction of r. The result has a border p = ceil(|r|) + 1 for growth.
    """
    steps = int(np.ceil(abs(r)))
    p = steps + 1
    cur = np.pad(ink.astype(np.float32), p)
    pick = np.minimum if r > 0 else np.maximum
    for i in range(steps):
        prev = cur
        cur = _filter3(cur, pick, square=i % 2 == 1)
        if i == steps - 1 and abs(r) < steps:  # a fractional last step
            cur = prev + (abs(r) - i) * (cur - prev)
    return cur


def _filter3(a: np.ndarray, pick, square: bool) -> np.ndarray:
    """pick (np.minimum/np.maximum) over each pixel's 4 (cross) or 8 (square) neighbours."""
    padded = np.pad(a, 1, mode="edge")
    out = a.copy()
    shifts = [(0, 1), (2, 1), (1, 0), (1, 2)]
    if square:
        shifts += [(0, 0), (0, 2), (2, 0), (2, 2)]
    h, w = a.shape
    for dr, dc in shifts:
        pick(out, padded[dr : dr + h, dc : dc + w], out=out)
    return out


def inscribed_radius(mask: np.ndarray) -> int:
    """Radius in pixels of the largest near-disc (octagon) inside mask (h, w) bool."""
    cur = np.pad(mask, 1).astype(np.float32)  # outside is background
    for radius in range(max(mask.shape)):
        if not cur.any():
            return radius
        cur = _filter3(cur, np.minimum, square=radius % 2 == 1)
    return max(mask.shape)


def digit_problem(rgba: np.ndarray) -> str | None:
    """Why the canvas RGBA (H, W, 4) holds no digit to read, as a sentence; None if it may.

    Empty: no ink above INK_THRESHOLD. Too small: the drawing spans less than MIN_EXTENT of
    the canvas side. A dot: its extent is less than MIN_ELONGATION times its thickest stroke.
    """
    ink = ink_from_rgba(rgba)
    crop = _crop(ink)
    if crop is None:
        return "The canvas is empty: draw a digit."
    if max(crop.shape) < MIN_EXTENT * min(ink.shape):
        return "The drawing is too small to be a digit: draw it larger."
    fine = _resize(crop, FINE * BOX / max(crop.shape))  # the ratio does not depend on the scale
    if FINE * BOX < MIN_ELONGATION * 2 * inscribed_radius(fine > 0.5):
        return (  # a dot, or a dense scribble: either way no strokes to read
            "That does not look like one digit: it is one solid blot (a dot, or strokes drawn "
            "over each other). Draw the digit's strokes."
        )
    return None


def _centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """Place digit (h, w) in a 28x28 field with its centre of mass at the field's centre."""
    h, w = digit.shape
    total = digit.sum()
    com_r = (digit.sum(axis=1) @ np.arange(h)) / total
    com_c = (digit.sum(axis=0) @ np.arange(w)) / total
    centre = SIZE / 2  # MNIST puts the centre of mass at (14, 14), measured on its images
    top = int(np.clip(round(centre - com_r), 0, SIZE - h))  # stay inside the field
    left = int(np.clip(round(centre - com_c), 0, SIZE - w))
    field = np.zeros((SIZE, SIZE), np.float32)
    field[top : top + h, left : left + w] = digit
    return field


def canvas_to_mnist(rgba: np.ndarray) -> np.ndarray | None:
    """Canvas RGBA (H, W, 4) -> (28, 28) float32 pixels in 0-255, or None if nothing is drawn."""
    return to_mnist(ink_from_rgba(rgba))
