"""More BUILD kinds of non-digit (2026-12-07): a detector learns only the kinds it is shown.

Chosen to be disjoint from both held-out sets (tests/nondigits.py HELD_OUT, and HELD_OUT_NEW):
no Greek, no + = ? # & @ % *, no stars, hearts, arrows, zig-zags, spirals, waves, faces, check
marks, boxes holding marks, houses, moons, bolts, clouds, notes or stick figures. Nothing that
is a digit's shape either: no | / \\ ( ) l, no tall thin ellipses or rectangles (a 0 or a 1), no
steep lines (a 1). Each maker takes rng and returns centre-line points (k, 2) in unit
coordinates (x right, y down), or polylines for tests/brush.py's along.
"""

from __future__ import annotations

import numpy as np

from .drawing import arc

# Letters of other scripts in DejaVu (fonts-dejavu-core), without the digit-like ones (Armenian
# Յ Ձ Զ Գ Օ Ս Տ Վ Կ Ջ Շ Ց ծ ժ ...; Hebrew ו ן י ז ך ר ד ס פ ...). Hebrew is in DejaVu Sans only.
ARMENIAN = "ԱԲԵԷԸԹԺԻԽԾՀՃՄՈՉՊՌՓՖաբեէըթխհճմնչպռտրփֆ"
HEBREW = "אבהחטכלמםעצקשת"
# Symbols of no held-out kind and unlike a digit (no § ß ð ŋ ł ₹, no brackets or bars).
BUILD_SYMBOLS = "$<>{}~^€£¶¥¢©®÷¬₩₽ÆŒæœÞþĦħŁ"


def slanted(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """points (k, 2) sheared, stretched and turned a little at random, as a hand would."""
    turn, shear = rng.uniform(-0.35, 0.35), rng.uniform(-0.4, 0.4)
    stretch = np.exp(rng.uniform(-0.4, 0.4))
    c, s = np.cos(turn), np.sin(turn)
    m = np.array([[c, -s], [s, c]]) @ np.array([[stretch, shear], [0, 1 / stretch]])
    return (points - points.mean(axis=0)) @ m.T


def polygon(rng: np.random.Generator) -> list:
    """A closed convex-ish polygon of 5-8 sides, its corners a little uneven, turned at random."""
    k = int(rng.integers(5, 9))
    angles = rng.uniform(0, 2 * np.pi) + 2 * np.pi * (np.arange(k) + rng.uniform(-0.2, 0.2, k)) / k
    radii = rng.uniform(0.4, 0.5, k)
    pts = [(0.5 + r * np.cos(a), 0.5 + r * np.sin(a)) for r, a in zip(radii, angles, strict=True)]
    return [[*pts, pts[0]]]


def wide_oval_or_box(rng: np.random.Generator) -> list:
    """An ellipse or a rectangle wider than tall (a tall one is a 0 or a 1), tilted a little."""
    aspect, tilt = rng.uniform(1.5, 4), rng.uniform(-0.4, 0.4)
    if rng.random() < 0.5:
        pts = np.array(arc(0, 0, 0.5, 0.5 / aspect, 0, 2 * np.pi, 40))
    else:
        w, h = 0.5, 0.5 / aspect
        pts = np.array([(-w, -h), (w, -h), (w, h), (-w, h), (-w, -h)])
    c, s = np.cos(tilt), np.sin(tilt)
    return [[tuple(p) for p in pts @ np.array([[c, -s], [s, c]]).T + 0.5]]


def flat_line(rng: np.random.Generator) -> list:
    """One straight line within 30 degrees of level (a steep one is a 1)."""
    a = rng.uniform(-np.pi / 6, np.pi / 6)
    return [
        [
            (0.5 - 0.5 * np.cos(a), 0.5 - 0.5 * np.sin(a)),
            (0.5 + 0.5 * np.cos(a), 0.5 + 0.5 * np.sin(a)),
        ]
    ]


def _turn(points: np.ndarray, quarters: int) -> np.ndarray:
    """points (k, 2) turned by quarters of a turn (y down: one quarter is clockwise)."""
    for _ in range(quarters % 4):
        points = np.column_stack([-points[:, 1], points[:, 0]])
    return points


def digit_made(
    lines: list[np.ndarray], labels: np.ndarray, rng: np.random.Generator
) -> tuple[str, np.ndarray]:
    """A non-digit made of real digits' centre lines (k, 2) with their labels: one turned a
    quarter (not a 0, still a 0), two side by side (a number), or two of different shapes drawn
    over each other (not with a 1: a 1 over a 0 is a Greek phi, held out) -> (kind, points)."""
    kind = int(rng.integers(3))
    i, j = rng.choice(len(lines), 2, replace=False)
    if kind == 0:
        i = rng.choice(np.flatnonzero(labels != 0))
        return "turned", _turn(lines[i], int(rng.choice([1, 3])))
    a, b = lines[i] - lines[i].min(axis=0), lines[j] - lines[j].min(axis=0)
    if kind == 1:
        gap = np.array([a[:, 0].max() + rng.uniform(0.05, 0.2), 0.0])
        return "side by side", np.vstack([a, b + gap])
    ok = np.flatnonzero(labels != 1)
    i, j = rng.choice(ok, 2, replace=False)
    while labels[i] == labels[j]:
        j = rng.choice(ok)
    a, b = lines[i] - lines[i].min(axis=0), lines[j] - lines[j].min(axis=0)
    return "overlaid", np.vstack([a / np.ptp(a, axis=0).max(), b / np.ptp(b, axis=0).max()])
