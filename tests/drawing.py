"""Synthetic canvas drawings: strokes rasterised the way the browser canvas returns them."""

from __future__ import annotations

import itertools

import numpy as np


def arc(cx, cy, rx, ry, t0, t1, n=24):
    """Points of an elliptic arc from angle t0 to t1 (radians, counter-clockwise as seen)."""
    return [(cx + rx * np.cos(t), cy - ry * np.sin(t)) for t in np.linspace(t0, t1, n)]


STROKES = {  # digit -> polylines in unit coordinates (x right, y down)
    "1": [[(0.5, 0.1), (0.5, 0.9)]],
    "7": [[(0.2, 0.15), (0.8, 0.15), (0.4, 0.9)]],
    "0": [
        [(0.5 + 0.25 * np.sin(t), 0.5 - 0.38 * np.cos(t)) for t in np.linspace(0, 2 * np.pi, 40)]
    ],
    "4": [[(0.6, 0.9), (0.6, 0.1), (0.2, 0.6), (0.8, 0.6)]],
    "2": [[*arc(0.5, 0.32, 0.28, 0.22, 0.9 * np.pi, -0.2 * np.pi), (0.2, 0.9), (0.82, 0.9)]],
    "3": [
        arc(0.48, 0.29, 0.27, 0.19, 0.85 * np.pi, -0.5 * np.pi)
        + arc(0.48, 0.69, 0.3, 0.21, 0.5 * np.pi, -0.85 * np.pi)
    ],
}


def draw(digit, size: int = 280, box=(0.0, 0.0, 1.0, 1.0), width: float = 20) -> np.ndarray:
    """RGBA (size, size, 4) uint8: white strokes on black in box (x0, y0, x1, y1) of [0, 1]^2.

    digit: a key of STROKES, or polylines of its own in the same unit coordinates.
    """
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    ink = np.zeros((size, size), bool)
    x0, y0, x1, y1 = box
    for line in STROKES[digit] if isinstance(digit, str) else digit:
        pts = [(size * (x0 + (x1 - x0) * u), size * (y0 + (y1 - y0) * v)) for u, v in line]
        for (ax, ay), (bx, by) in itertools.pairwise(pts):
            ink |= _distance(xx, yy, ax, ay, bx, by) <= width / 2
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., :3] = ink[..., None] * 255
    rgba[..., 3] = 255
    return rgba


def _distance(xx, yy, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = np.clip(((xx - ax) * dx + (yy - ay) * dy) / max(dx * dx + dy * dy, 1e-9), 0, 1)
    return np.hypot(xx - (ax + t * dx), yy - (ay + t * dy))
