"""HELD_OUT_5: eight kinds of non-digit written 2026-12-08 before the detector after the CNN.

Frozen: defined and committed before that detector was chosen or any held-out set scored for it,
never trained or tuned on, reported once at the end. Each kind is something a student might
draw, unlike every BUILD family of tests/nondigits.py (and tests/nondigits_build_more.py),
every held-out one (HELD_OUT, HELD_OUT_NEW, HELD_OUT_3, HELD_OUT_4) and left out of the glyph
corpus (bench/glyph_corpus.py): mathematical signs (infinity, integrals, for all, circled
plus and times) in fonts-dejavu-core, cat heads, perched birds, hammers, scissors, leaves with
their veins, chess rooks and pawns, butterflies. Drawings are polylines in unit coordinates
(x right, y down), drawn with tests/brush.py like every family.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .brush import along, brush, centre_line, glyph
from .drawing import arc

FONTS = Path("/usr/share/fonts/truetype/dejavu")  # fonts-dejavu-core: every glyph below in each
MATH_FONTS = ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", "DejaVuSans-Bold.ttf"]
# Signs of no other kind and unlike a digit (no √ (a check mark), ∂ (a 6), ∃ (a 3), ∑ ∏
# (Greek), ∈ ⊂ ∪ (letters), ± ≠ ≈ (+ = and waves), ∇ (a triangle), ∅ (a 0)).
MATH_SIGNS = "∞∫∬∀⊕⊗"


def _jitter(rng, lines, amount=0.012):
    """lines with each point moved by up to amount in x and y: a hand is never exact."""
    return [
        [(x + rng.uniform(-amount, amount), y + rng.uniform(-amount, amount)) for x, y in line]
        for line in lines
    ]


def _turn(lines, angle):
    """lines turned by angle (radians) about the unit square's centre."""
    c, s = np.cos(angle), np.sin(angle)
    return [
        [(0.5 + c * (x - 0.5) - s * (y - 0.5), 0.5 + s * (x - 0.5) + c * (y - 0.5)) for x, y in ln]
        for ln in lines
    ]


def _math_sign(rng):
    """One of MATH_SIGNS in one of MATH_FONTS, thinned to its centre line (unit points)."""
    sign = str(rng.choice(list(MATH_SIGNS)))
    return centre_line(glyph(sign, str(FONTS / rng.choice(MATH_FONTS))))


def _cat_head(rng):
    """A round head with two pointed ears, two eyes and 2-3 whiskers on each side."""
    ry = rng.uniform(0.25, 0.32)
    lines = [arc(0.5, 0.62, 0.36, ry, 0, 2 * np.pi, 36)]
    for side in (-1, 1):
        tip = (0.5 + side * rng.uniform(0.22, 0.32), 0.62 - ry - rng.uniform(0.15, 0.25))
        lines.append([(0.5 + side * 0.33, 0.62 - ry * 0.45), tip, (0.5 + side * 0.08, 0.62 - ry)])
        lines.append(arc(0.5 + side * 0.14, 0.56, 0.04, 0.05, 0, 2 * np.pi, 10))
        for i in range(int(rng.integers(2, 4))):
            y = 0.7 + 0.05 * i
            lines.append([(0.5 + side * 0.12, y), (0.5 + side * 0.48, y + rng.uniform(-0.1, 0.1))])
    return _jitter(rng, lines)


def _bird(rng):
    """A bird perched, from the side: an oval body, a round head, a beak, a tail, two legs."""
    lines = [arc(0.48, 0.55, 0.3, 0.18, 0, 2 * np.pi, 30)]
    lines.append(arc(0.76, 0.34, 0.11, 0.11, 0, 2 * np.pi, 20))
    lines.append([(0.86, 0.3), (1.0, rng.uniform(0.33, 0.38)), (0.86, 0.38)])
    lines.append([(0.2, 0.5), (0.0, rng.uniform(0.32, 0.45)), (0.03, 0.62), (0.2, 0.6)])
    lines.append(arc(0.45, 0.52, 0.16, 0.08, np.pi, 2 * np.pi, 12))  # the wing
    for x in (0.42, 0.55):
        lines.append([(x, 0.72), (x, 0.95), (x + 0.05, 0.97)])
    lines = _turn(lines, rng.uniform(-0.25, 0.25))
    if rng.random() < 0.5:  # facing left
        lines = [[(1 - x, y) for x, y in line] for line in lines]
    return _jitter(rng, lines)


def _hammer(rng):
    """A hammer lying at a slant: an outlined handle and a head across its end."""
    half = rng.uniform(0.04, 0.06)
    handle = [(0.5 - half, 0.3), (0.5 - half, 1.0), (0.5 + half, 1.0), (0.5 + half, 0.3)]
    top = rng.uniform(0.05, 0.15)
    head = [(0.15, top), (0.85, top), (0.85, 0.3), (0.15, 0.3), (0.15, top)]
    return _jitter(rng, _turn([handle, head], rng.choice([-1, 1]) * rng.uniform(0.5, 1.1)))


def _scissors(rng):
    """Open scissors: two finger rings and two blades crossing at a pivot."""
    spread = rng.uniform(0.15, 0.3)
    lines = []
    for side in (-1, 1):
        cx = 0.5 + side * 0.2
        lines.append(arc(cx, 0.82, 0.13, 0.11, 0, 2 * np.pi, 20))
        tip = (0.5 - side * spread, 0.02)
        lines.append([(cx - side * 0.05, 0.71), tip, (cx + side * 0.03, 0.72)])
    lines.append(arc(0.5, 0.45, 0.02, 0.02, 0, 2 * np.pi, 8))  # the pivot
    return _jitter(rng, _turn(lines, rng.uniform(-np.pi, np.pi)), 0.008)


def _leaf(rng):
    """A pointed leaf on its stalk, its midrib and 2-4 veins on each side, at a slant."""
    width, veins = rng.uniform(0.18, 0.3), int(rng.integers(2, 5))
    t = np.linspace(0, 1, 20)
    left = [(0.5 - width * np.sin(np.pi * v), 0.05 + 0.75 * v) for v in t]
    right = [(0.5 + width * np.sin(np.pi * v), 0.05 + 0.75 * v) for v in t]
    lines = [left, right, [(0.5, 0.05), (0.5, 0.8), (0.47, 1.0)]]
    for i in range(1, veins + 1):
        v = i / (veins + 1)
        y, reach = 0.05 + 0.75 * v, 0.85 * width * np.sin(np.pi * (v - 0.08))
        lines += [[(0.5, y + 0.08), (0.5 + side * reach, y)] for side in (-1, 1)]
    return _jitter(rng, _turn(lines, rng.choice([-1, 1]) * rng.uniform(0.4, 1.2)), 0.008)


def _chess_piece(rng):
    """A chess rook (a tower with battlements) or pawn (a ball on a cone), on a wide base."""
    base = [(0.15, 1.0), (0.85, 1.0), (0.8, 0.88), (0.2, 0.88), (0.15, 1.0)]
    if rng.random() < 0.5:
        merlons = int(rng.integers(3, 5))
        top = [(0.25, 0.88), (0.3, 0.3), (0.22, 0.3), (0.22, 0.05)]
        for i in range(merlons):
            x0 = 0.22 + 0.56 * i / merlons
            x1 = x0 + 0.56 / merlons
            gap = [(x0 + 0.35 * (x1 - x0), 0.05), (x0 + 0.35 * (x1 - x0), 0.15)]
            top += [*gap, (x1 - 0.3 * (x1 - x0), 0.15), (x1 - 0.3 * (x1 - x0), 0.05), (x1, 0.05)]
        top += [(0.78, 0.3), (0.7, 0.3), (0.75, 0.88)]
        return _jitter(rng, [base, top])
    body = [(0.25, 0.88), (0.42, 0.4), (0.58, 0.4), (0.75, 0.88)]
    collar = [(0.35, 0.42), (0.65, 0.42)]
    return _jitter(rng, [base, body, collar, arc(0.5, 0.24, 0.15, 0.15, -1.1, 4.24, 24)])


def _butterfly(rng):
    """Four wings (two large above, two small below) on a thin body with two antennae."""
    lines = [arc(0.5, 0.55, 0.03, 0.3, 0, 2 * np.pi, 16)]
    up, down = rng.uniform(0.18, 0.24), rng.uniform(0.12, 0.17)
    for side in (-1, 1):
        lines.append(arc(0.5 + side * (up + 0.02), 0.38, up, 0.2, 0, 2 * np.pi, 24))
        lines.append(arc(0.5 + side * (down + 0.02), 0.7, down, 0.14, 0, 2 * np.pi, 20))
        lines.append([(0.5, 0.27), (0.5 + side * 0.08, 0.12), (0.5 + side * 0.14, 0.02)])
    return _jitter(rng, _turn(lines, rng.uniform(-0.4, 0.4)), 0.01)


def _strokes(make):
    """A family drawn from polylines: make(rng) -> lines; returns (rng, box, width) -> RGBA."""
    return lambda rng, box, width: brush(along(make(rng)), box, width)


HELD_OUT_5 = {  # never trained or tuned on: reported once, after the detector after the CNN
    "mathematical signs, DejaVu": lambda rng, box, width: brush(_math_sign(rng), box, width),
    "cat heads": _strokes(_cat_head),
    "perched birds": _strokes(_bird),
    "hammers": _strokes(_hammer),
    "scissors": _strokes(_scissors),
    "leaves": _strokes(_leaf),
    "chess rooks and pawns": _strokes(_chess_piece),
    "butterflies": _strokes(_butterfly),
}
