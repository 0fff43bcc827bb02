"""HELD_OUT_NEW: six kinds of non-digit written 2026-12-07 before the second detector was built.

Frozen: defined and committed before any training or tuning of that detector, never trained or
tuned on, reported once. Each kind is unlike every BUILD family of tests/nondigits.py and unlike
the others: Greek letters in Liberation fonts, faces, check marks and ballot boxes, pictograms
(houses, crescent moons, lightning bolts, clouds), musical notes, stick figures. Drawings are
polylines in unit coordinates (x right, y down), drawn with tests/brush.py like every family.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .brush import along, brush, centre_line, glyph
from .drawing import arc

FONTS = Path("/usr/share/fonts/truetype/liberation")  # Debian's fonts-liberation
GREEK_FONTS = [
    "LiberationSerif-Regular.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationSans-Bold.ttf",
    "LiberationMono-Regular.ttf",
]
# Greek letters unlike any digit (no ο, θ, Θ, δ, β, ζ, ξ, σ, ς, ι, κ, ν, τ, υ, χ, ρ).
GREEK = "αγεηλμπφψωΓΔΛΞΠΣΦΨΩ"


def _jitter(rng, lines, amount=0.03):
    """lines with each point moved by up to amount in x and y: a hand is never exact."""
    return [
        [(x + rng.uniform(-amount, amount), y + rng.uniform(-amount, amount)) for x, y in line]
        for line in lines
    ]


def _face(rng):
    """A round face: eyes (dots or short strokes) and a smiling, frowning or straight mouth."""
    lines = [arc(0.5, 0.5, 0.45, 0.45 * rng.uniform(0.85, 1.1), 0, 2 * np.pi, 40)]
    for x in (0.33, 0.67):
        lines.append([(x, 0.35), (x, 0.36)] if rng.random() < 0.5 else [(x, 0.3), (x, 0.42)])
    mouth = rng.integers(3)
    if mouth == 0:
        lines.append(arc(0.5, 0.55, 0.22, 0.15, 1.15 * np.pi, 1.85 * np.pi))  # a smile
    elif mouth == 1:
        lines.append(arc(0.5, 0.78, 0.2, 0.12, 0.15 * np.pi, 0.85 * np.pi))  # a frown
    else:
        lines.append([(0.32, 0.7), (0.68, 0.7)])
    return _jitter(rng, lines, 0.015)


def _tick_or_ballot(rng):
    """A check mark alone, or a square ballot box holding a check mark or a cross."""
    kind = rng.integers(3)
    tick = [(0.1, 0.55 + rng.uniform(-0.1, 0.1)), (0.38, 0.88), (0.92, 0.08)]
    if kind == 0:
        return _jitter(rng, [tick])
    box = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    inside = (
        [[(0.2 + 0.6 * x, 0.2 + 0.6 * y) for x, y in tick]]
        if kind == 1
        else [[(0.22, 0.22), (0.78, 0.78)], [(0.78, 0.22), (0.22, 0.78)]]
    )
    return _jitter(rng, [box, *inside], 0.02)


def _pictogram(rng):
    """A house, a crescent moon, a lightning bolt or a cloud, as outlines."""
    kind = rng.integers(4)
    if kind == 0:
        roof = rng.uniform(0.3, 0.5)
        walls = [(0.2, roof), (0.2, 0.95), (0.8, 0.95), (0.8, roof)]
        lines = [[*walls, (0.5, 0.05), walls[0], walls[-1]]]
        if rng.random() < 0.5:  # a door
            lines.append([(0.42, 0.95), (0.42, 0.75), (0.58, 0.75), (0.58, 0.95)])
        return _jitter(rng, lines, 0.015)
    if kind == 1:
        outer = arc(0.5, 0.5, 0.45, 0.45, np.pi / 3, 5 * np.pi / 3, 30)
        inner = arc(0.725, 0.5, rng.uniform(0.15, 0.3), 0.39, 1.5 * np.pi, 0.5 * np.pi, 24)
        return [outer + inner]
    if kind == 2:
        bolt = [(0.55, 0.0), (0.2, 0.55), (0.45, 0.55), (0.3, 1.0), (0.8, 0.4), (0.55, 0.4)]
        return _jitter(rng, [[*bolt, (0.72, 0.0), (0.55, 0.0)]], 0.02)
    t = np.linspace(0, 2 * np.pi, 80)
    bumps = np.where(np.sin(t) > 0, 0.07 * np.abs(np.sin(rng.integers(3, 6) * t)), 0)
    x, y = 0.5 + (0.45 + bumps) * np.cos(t), 0.5 - (0.25 + bumps) * np.sin(t)
    return [list(zip(x, y, strict=True))]


def _note_head(cx, cy, filled):
    """An oval note head at (cx, cy), filled (rings inside it) or hollow."""
    rings = (1.0, 0.6, 0.3) if filled else (1.0,)
    return [arc(cx, cy, 0.14 * s, 0.09 * s, 0, 2 * np.pi, 24) for s in rings]


def _note(rng):
    """A musical note: an eighth note with its flag, a beamed pair, or a hollow half note."""
    kind = rng.integers(3)
    if kind == 1:
        heads = _note_head(0.2, 0.85, True) + _note_head(0.75, 0.8, True)
        stems = [[(0.33, 0.85), (0.33, 0.12), (0.88, 0.07), (0.88, 0.8)]]
        return heads + stems + [[(0.33, 0.2), (0.88, 0.15)]]
    head = _note_head(0.3, 0.85, kind == 0)
    stem = [[(0.43, 0.85), (0.43, 0.08)]]
    flag = [[(0.43, 0.08), (0.6, 0.25), (0.72, 0.45), (0.66, 0.6)]] if kind == 0 else []
    return head + stem + flag


def _stick_figure(rng):
    """A round head on a body, arms out or up, two legs."""
    head = arc(0.5, 0.15, 0.12, 0.12, 0, 2 * np.pi, 24)
    arms_y = rng.uniform(0.25, 0.5)
    arms = [(0.2, arms_y), (0.5, 0.4), (0.8, arms_y)]
    legs = [(0.3, 0.97), (0.5, 0.65), (0.7, 0.97)]
    return _jitter(rng, [head, [(0.5, 0.27), (0.5, 0.65)], arms, legs], 0.02)


def _greek(rng):
    """One Greek letter in one of GREEK_FONTS, thinned to its centre line (unit points)."""
    return centre_line(glyph(str(rng.choice(list(GREEK))), str(FONTS / rng.choice(GREEK_FONTS))))


def _strokes(make):
    """A family drawn from polylines: make(rng) -> lines; returns (rng, box, width) -> RGBA."""
    return lambda rng, box, width: brush(along(make(rng)), box, width)


HELD_OUT_NEW = {  # never trained or tuned on: reported once, after the detector was fixed
    "Greek letters, Liberation fonts": lambda rng, box, width: brush(_greek(rng), box, width),
    "faces": _strokes(_face),
    "check marks, ballot boxes": _strokes(_tick_or_ballot),
    "houses, moons, bolts, clouds": _strokes(_pictogram),
    "musical notes": _strokes(_note),
    "stick figures": _strokes(_stick_figure),
}
