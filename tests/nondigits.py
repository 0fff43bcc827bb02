"""Seeded drawings that are not one digit: scribbles, dots, letters drawn as strokes, walks."""

from __future__ import annotations

import numpy as np

from .drawing import draw

LETTERS = {  # letters far from any digit, as polylines in unit coordinates (x right, y down)
    "A": [[(0.15, 0.9), (0.5, 0.1), (0.85, 0.9)], [(0.3, 0.6), (0.7, 0.6)]],
    "W": [[(0.05, 0.15), (0.28, 0.85), (0.5, 0.35), (0.72, 0.85), (0.95, 0.15)]],
    "M": [[(0.1, 0.9), (0.15, 0.1), (0.5, 0.6), (0.85, 0.1), (0.9, 0.9)]],
    "H": [[(0.2, 0.1), (0.2, 0.9)], [(0.8, 0.1), (0.8, 0.9)], [(0.2, 0.5), (0.8, 0.5)]],
    "K": [[(0.25, 0.1), (0.25, 0.9)], [(0.8, 0.1), (0.25, 0.55), (0.8, 0.9)]],
    "E": [[(0.8, 0.1), (0.25, 0.1), (0.25, 0.9), (0.8, 0.9)], [(0.25, 0.5), (0.7, 0.5)]],
    "R": [[(0.25, 0.9), (0.25, 0.1), (0.65, 0.1), (0.75, 0.3), (0.65, 0.5), (0.25, 0.5)]],
    "X": [[(0.15, 0.1), (0.85, 0.9)], [(0.85, 0.1), (0.15, 0.9)]],
    "N": [[(0.2, 0.9), (0.2, 0.1), (0.8, 0.9), (0.8, 0.1)]],
    "F": [[(0.8, 0.1), (0.25, 0.1), (0.25, 0.9)], [(0.25, 0.5), (0.65, 0.5)]],
}


def _box(rng, lo=0.35, hi=0.9):
    side = rng.uniform(lo, hi)
    x0, y0 = rng.uniform(0.02, 0.98 - side, 2)
    return (x0, y0, x0 + side, y0 + side)


def _scribble(rng, n):
    return [[tuple(p) for p in rng.uniform(0.05, 0.95, (n, 2))]]


def _walk(rng, n):
    """A smooth random walk of n steps (the direction keeps 80% of its last value)."""
    p, v, points = np.array([0.5, 0.5]), rng.normal(0, 1, 2), []
    for _ in range(n):
        v = 0.8 * v + rng.normal(0, 1, 2)
        p = np.clip(p + 0.03 * v / max(np.hypot(*v), 1e-9), 0.02, 0.98)
        points.append(tuple(p))
    return [points]


def _dots(rng, k):
    return [[tuple(p), tuple(p + 0.01)] for p in rng.uniform(0.1, 0.9, (k, 2))]


def non_digits(n_each: int = 20, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """(kind, canvas RGBA (280, 280, 4)) pairs, n_each of six kinds, the same for a seed."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_each):
        thin, dense = rng.uniform(6, 14), rng.uniform(20, 40)
        out.append(
            ("thin scribble", draw(_scribble(rng, rng.integers(8, 20)), box=_box(rng), width=thin))
        )
        out.append(
            ("dense scribble", draw(_scribble(rng, 40), box=_box(rng, 0.3, 0.6), width=dense))
        )
        out.append(("two dots", draw(_dots(rng, 2), width=rng.uniform(16, 40))))
        out.append(
            ("several dots", draw(_dots(rng, rng.integers(3, 6)), width=rng.uniform(16, 40)))
        )
        out.append(
            ("random walk", draw(_walk(rng, rng.integers(40, 90)), width=rng.uniform(8, 30)))
        )
        letter = LETTERS[list(LETTERS)[i % len(LETTERS)]]
        out.append(("letter", draw(letter, box=_box(rng), width=rng.uniform(8, 30))))
    return out
