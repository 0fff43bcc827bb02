"""HELD_OUT_3: ten kinds of non-digit written 2026-12-07 before the third detector was tuned.

Frozen: defined and committed before any tuning of that detector, never trained or tuned on,
reported once at the end. Each kind is unlike every BUILD family of tests/nondigits.py, every
HELD_OUT one there and every HELD_OUT_NEW one (tests/nondigits_held_out_new.py): Cyrillic
capitals in Liberation styles no other set uses, coils (a cursive "eeee"), branching trees,
tables (a frame cut into cells), envelopes, eyes, suns, doodles of several random strokes,
flowers, fish. Drawings are polylines in unit coordinates (x right, y down), drawn with
tests/brush.py like every family.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .brush import along, brush, centre_line, glyph
from .drawing import arc

FONTS = Path("/usr/share/fonts/truetype/liberation")  # Debian's fonts-liberation
CYRILLIC_FONTS = [  # styles no other family uses
    "LiberationSerif-Bold.ttf",
    "LiberationSansNarrow-Bold.ttf",
    "LiberationSerif-Italic.ttf",
    "LiberationMono-Bold.ttf",
]
# Cyrillic capitals of no Latin or Greek shape and unlike a digit (no З Ч Б Э О С Т Р ...).
CYRILLIC = "ЖДФЯШЩЮЫЛПИЦ"


def _jitter(rng, lines, amount=0.02):
    """lines with each point moved by up to amount in x and y: a hand is never exact."""
    return [
        [(x + rng.uniform(-amount, amount), y + rng.uniform(-amount, amount)) for x, y in line]
        for line in lines
    ]


def _cyrillic(rng):
    """One Cyrillic capital in one of CYRILLIC_FONTS, thinned to its centre line (unit points)."""
    letter = str(rng.choice(list(CYRILLIC)))
    return centre_line(glyph(letter, str(FONTS / rng.choice(CYRILLIC_FONTS))))


def _coil(rng):
    """A row of 3-6 loops in one stroke, as a cursive "eeee" or a telephone cord."""
    loops = int(rng.integers(3, 7))
    t = np.linspace(0, 2 * np.pi * loops, 40 * loops)
    r = rng.uniform(0.3, 0.45)  # above 1 / (2 pi) of a loop's advance: each turn crosses itself
    x, y = 0.5 * t / (2 * np.pi) - r * np.sin(t), -np.cos(t) * rng.uniform(0.4, 0.8)
    return [list(zip(x, y, strict=True))]


def _tree(rng):
    """A trunk forking twice or three times into two branches each, tips spread out."""
    depth, lines = int(rng.integers(2, 4)), []
    tips = [((0.5, 1.0), -np.pi / 2, 0.35)]  # (point, heading, length); y down: up is -pi/2
    for _ in range(depth + 1):
        grown = []
        for (x, y), heading, length in tips:
            end = (x + length * np.cos(heading), y + length * np.sin(heading))
            lines.append([(x, y), end])
            spread = rng.uniform(0.35, 0.7)
            grown += [(end, heading - spread, length * 0.7), (end, heading + spread, length * 0.7)]
        tips = grown
    return _jitter(rng, lines, 0.01)


def _table(rng):
    """A frame cut into a grid of cells: 2-4 columns, 2-4 rows (a table, a window)."""
    cols, rows = rng.integers(2, 5, 2)
    width, height = rng.uniform(0.6, 1.0), rng.uniform(0.6, 1.0)
    lines = [[(0, 0), (width, 0), (width, height), (0, height), (0, 0)]]
    lines += [[(width * i / cols, 0), (width * i / cols, height)] for i in range(1, cols)]
    lines += [[(0, height * j / rows), (width, height * j / rows)] for j in range(1, rows)]
    return _jitter(rng, lines)


def _envelope(rng):
    """A rectangle wider than tall with its flap: a V from the top corners, sometimes shut."""
    height, depth = rng.uniform(0.5, 0.75), rng.uniform(0.4, 0.7)
    frame = [(0, 0), (1, 0), (1, height), (0, height), (0, 0)]
    flap = [(0, 0), (0.5, depth * height), (1, 0)]
    lines = [frame, flap]
    if rng.random() < 0.5:  # the lower folds
        lines += [[(0, height), (0.4, 0.55 * height)], [(1, height), (0.6, 0.55 * height)]]
    return _jitter(rng, lines, 0.015)


def _eye(rng):
    """An almond (two arcs meeting at the corners) holding an iris, with a pupil or lashes."""
    open_ = rng.uniform(0.2, 0.35)
    upper = arc(0.5, 0.5 + open_, 0.55, 2 * open_, np.pi * 0.82, np.pi * 0.18, 30)
    lower = arc(0.5, 0.5 - open_, 0.55, 2 * open_, -np.pi * 0.82, -np.pi * 0.18, 30)
    iris = arc(0.5, 0.5, 0.5 * open_, 0.5 * open_, 0, 2 * np.pi, 24)
    lines = [upper, lower, iris, arc(0.5, 0.5, 0.15 * open_, 0.15 * open_, 0, 2 * np.pi, 12)]
    if rng.random() < 0.5:
        lines += [[(x, 0.5 - open_ + 0.05), (x, 0.5 - open_ - 0.1)] for x in (0.35, 0.5, 0.65)]
    return _jitter(rng, lines, 0.01)


def _sun(rng):
    """A circle with 6-12 rays around it, short lines pointing away from its centre."""
    rays, r = int(rng.integers(6, 13)), rng.uniform(0.2, 0.3)
    turn = rng.uniform(0, 2 * np.pi)
    lines = [arc(0.5, 0.5, r, r, 0, 2 * np.pi, 32)]
    for a in turn + 2 * np.pi * np.arange(rays) / rays:
        c, s = np.cos(a), np.sin(a)
        inner, outer = r + 0.07, 0.48
        lines.append([(0.5 + inner * c, 0.5 + inner * s), (0.5 + outer * c, 0.5 + outer * s)])
    return _jitter(rng, lines, 0.01)


def _doodle(rng):
    """2-4 short smooth random strokes anywhere in the square: a doodle, never one shape."""
    lines = []
    for _ in range(int(rng.integers(2, 5))):
        p, v, line = rng.uniform(0.1, 0.9, 2), rng.normal(0, 1, 2), []
        for _ in range(int(rng.integers(15, 40))):
            v = 0.7 * v + rng.normal(0, 1, 2)
            p = np.clip(p + 0.05 * v / max(np.hypot(*v), 1e-9), 0, 1)
            line.append(tuple(p))
        lines.append(line)
    return lines


def _flower(rng):
    """A small centre ringed by 5-8 petal loops, on a stem with a leaf or none."""
    petals, turn = int(rng.integers(5, 9)), rng.uniform(0, 2 * np.pi)
    cx, cy, r = 0.5, 0.3, 0.07
    lines = [arc(cx, cy, r, r, 0, 2 * np.pi, 16)]
    t = np.linspace(-0.45, 0.45, 12) * 2 * np.pi / petals
    for a in turn + 2 * np.pi * np.arange(petals) / petals:
        reach = r + 0.2 * np.cos(t * petals / 2)  # out and back, a loop
        lines.append(list(zip(cx + reach * np.cos(a + t), cy + reach * np.sin(a + t), strict=True)))
    lines.append([(cx, cy + r), (cx, 1.0)])
    if rng.random() < 0.5:
        lines.append(arc(cx + 0.12, 0.75, 0.12, 0.05, 0, 2 * np.pi, 16))
    return _jitter(rng, lines, 0.01)


def _fish(rng):
    """A body (an oval wider than tall) with a triangular tail fin and an eye."""
    length, height = rng.uniform(0.55, 0.7), rng.uniform(0.18, 0.28)
    body = arc(0.05 + length / 2, 0.5, length / 2, height, 0, 2 * np.pi, 36)
    tail_x, fin = 0.05 + length, rng.uniform(0.15, 0.25)
    tail = [(tail_x - 0.03, 0.5), (0.98, 0.5 - fin), (0.98, 0.5 + fin), (tail_x - 0.03, 0.5)]
    eye = arc(0.05 + length * 0.22, 0.47, 0.02, 0.02, 0, 2 * np.pi, 8)
    return _jitter(rng, [body, tail, eye], 0.01)


def _strokes(make):
    """A family drawn from polylines: make(rng) -> lines; returns (rng, box, width) -> RGBA."""
    return lambda rng, box, width: brush(along(make(rng)), box, width)


HELD_OUT_3 = {  # never trained or tuned on: reported once, after the third detector was fixed
    "Cyrillic capitals, Liberation styles": lambda rng, box, width: brush(
        _cyrillic(rng), box, width
    ),
    "coils (a cursive eeee)": _strokes(_coil),
    "branching trees": _strokes(_tree),
    "tables (a frame of cells)": _strokes(_table),
    "envelopes": _strokes(_envelope),
    "eyes": _strokes(_eye),
    "suns": _strokes(_sun),
    "doodles of 2-4 strokes": _strokes(_doodle),
    "flowers": _strokes(_flower),
    "fish": _strokes(_fish),
}
