"""A drawing on the canvas -> a 28x28 image made the way MNIST's digits were made.

MNIST: the digit's bounding box scaled (keeping its aspect ratio) to fit 20x20 with
anti-aliasing, then placed in a 28x28 field with its centre of mass at the centre.
"""

from __future__ import annotations

import numpy as np

BOX = 20  # longer side of the digit after scaling
SIZE = 28
INK_THRESHOLD = 0.1  # fraction of full ink below which a pixel counts as background


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


def to_mnist(ink: np.ndarray) -> np.ndarray | None:
    """Ink (H, W) in [0, 1] -> MNIST-like pixels (28, 28) float32 in 0-255; None if blank."""
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return None
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    factor = BOX / max(h, w)
    out_h, out_w = max(1, round(h * factor)), max(1, round(w * factor))
    digit = area_matrix(h, out_h) @ crop @ area_matrix(w, out_w).T  # (out_h, out_w)
    digit *= 255 / digit.max()
    return _centre_by_mass(digit)


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
