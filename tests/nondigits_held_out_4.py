"""HELD_OUT_4: nine kinds of non-digit written 2026-12-07 before the glyph-corpus detector.

Frozen: defined and committed before that detector's corpus was built or any of it trained or
tuned, never trained or tuned on, reported once at the end. Each kind is a hand-drawn object a
student might draw, unlike every BUILD family of tests/nondigits.py, every held-out one
(HELD_OUT, HELD_OUT_NEW, HELD_OUT_3) and the glyph corpus (bench/glyph_corpus.py leaves out any
code point whose Unicode name names one of these objects): keys, cups, umbrellas, cars,
ladders, sailboats, spectacles, clocks, spiders. Drawings are polylines in unit coordinates
(x right, y down), drawn with tests/brush.py like every family.
"""

from __future__ import annotations

import numpy as np

from .brush import along, brush
from .drawing import arc


def _jitter(rng, lines, amount=0.015):
    """lines with each point moved by up to amount in x and y: a hand is never exact."""
    return [
        [(x + rng.uniform(-amount, amount), y + rng.uniform(-amount, amount)) for x, y in line]
        for line in lines
    ]


def _key(rng):
    """A ring (the bow) on a long level shaft with 2-4 teeth hanging from its far end."""
    r = rng.uniform(0.12, 0.2)
    bow = arc(r + 0.02, 0.5, r, r, 0, 2 * np.pi, 28)
    lines = [bow, [(2 * r + 0.02, 0.5), (0.98, 0.5)]]
    teeth = int(rng.integers(2, 5))
    for i in range(teeth):
        x = 0.95 - i * rng.uniform(0.07, 0.1)
        lines.append([(x, 0.5), (x, 0.5 + rng.uniform(0.08, 0.16))])
    return _jitter(rng, lines, 0.01)


def _cup(rng):
    """A mug: an open-topped body, a loop handle on its side, 0-2 wisps of steam above."""
    top, width = rng.uniform(0.35, 0.45), rng.uniform(0.45, 0.6)
    body = [(0.1, top), (0.15, 0.95), (0.1 + width - 0.05, 0.95), (0.1 + width, top)]
    right = 0.1 + width - 0.02
    handle = arc(right, top + 0.25, 0.15, 0.13, np.pi / 2, -np.pi / 2, 16)
    lines = [body, [(0.1, top), (0.1 + width, top)], handle]
    for i in range(int(rng.integers(0, 3))):
        x = 0.25 + 0.15 * i
        lines.append(
            [(x + 0.04 * np.sin(6 * t), top - 0.05 - 0.25 * t) for t in np.linspace(0, 1, 12)]
        )
    return _jitter(rng, lines)


def _umbrella(rng):
    """An open umbrella: a dome, its hem scalloped in 3-5 bumps, a shaft ending in a hook."""
    bumps = int(rng.integers(3, 6))
    dome = arc(0.5, 0.45, 0.45, rng.uniform(0.3, 0.4), np.pi, 0, 30)
    hem = []
    for i in range(bumps):
        a, b = 0.05 + 0.9 * i / bumps, 0.05 + 0.9 * (i + 1) / bumps
        hem += arc((a + b) / 2, 0.45, (b - a) / 2, 0.05, np.pi, 2 * np.pi, 8)
    shaft = [(0.5, 0.1), (0.5, 0.88)]
    hook = arc(0.42, 0.88, 0.08, 0.08, 0, -np.pi, 10)
    return _jitter(rng, [dome, hem, shaft, hook], 0.01)


def _car(rng):
    """A car from the side: a long body with a cabin on top, two wheels below."""
    roof, cabin = rng.uniform(0.25, 0.35), rng.uniform(0.25, 0.4)
    body = [
        (0.02, 0.7), (0.02, 0.5), (0.25, 0.5), (0.32, roof), (0.32 + cabin, roof),
        (0.42 + cabin, 0.5), (0.98, 0.55), (0.98, 0.7), (0.02, 0.7),
    ]  # fmt: skip
    wheels = [arc(x, 0.72, 0.09, 0.09, 0, 2 * np.pi, 20) for x in (0.22, 0.78)]
    return _jitter(rng, [body, *wheels], 0.01)


def _ladder(rng):
    """Two rails with 3-6 rungs between them, upright or leaning."""
    rungs, lean = int(rng.integers(3, 7)), rng.uniform(-0.15, 0.15)
    width = rng.uniform(0.3, 0.5)
    left = [(0.5 - width / 2 + lean, 0.02), (0.5 - width / 2 - lean, 0.98)]
    right = [(0.5 + width / 2 + lean, 0.02), (0.5 + width / 2 - lean, 0.98)]
    lines = [left, right]
    for i in range(1, rungs + 1):
        t = i / (rungs + 1)
        y, shift = 0.02 + 0.96 * t, lean * (1 - 2 * t)
        lines.append([(0.5 - width / 2 + shift, y), (0.5 + width / 2 + shift, y)])
    return _jitter(rng, lines)


def _sailboat(rng):
    """A hull (a trapezoid wider at the top), a mast, one or two triangular sails."""
    hull = [(0.02, 0.75), (0.98, 0.75), (0.8, 0.95), (0.2, 0.95), (0.02, 0.75)]
    mast_x = rng.uniform(0.45, 0.55)
    lines = [hull, [(mast_x, 0.75), (mast_x, 0.05)]]
    lines.append([(mast_x, 0.08), (mast_x + rng.uniform(0.3, 0.4), 0.68), (mast_x, 0.68)])
    if rng.random() < 0.5:
        lines.append([(mast_x, 0.2), (mast_x - rng.uniform(0.25, 0.35), 0.68), (mast_x, 0.68)])
    return _jitter(rng, lines)


def _spectacles(rng):
    """Glasses seen from the front: two round or square lenses, a bridge, two short arms."""
    r, gap = rng.uniform(0.16, 0.2), rng.uniform(0.08, 0.14)
    cx = (0.5 - gap / 2 - r, 0.5 + gap / 2 + r)
    if rng.random() < 0.5:
        lenses = [arc(x, 0.55, r, r * 0.85, 0, 2 * np.pi, 24) for x in cx]
    else:
        lenses = [
            [(x - r, 0.4), (x + r, 0.4), (x + r, 0.7), (x - r, 0.7), (x - r, 0.4)] for x in cx
        ]
    bridge = arc(0.5, 0.5, gap / 2, 0.04, np.pi, 0, 8)
    arms = [[(cx[0] - r, 0.45), (0.0, 0.35)], [(cx[1] + r, 0.45), (1.0, 0.35)]]
    return _jitter(rng, [*lenses, bridge, *arms], 0.01)


def _clock(rng):
    """A clock face: a circle, 4 or 12 tick marks inside its rim, an hour and a minute hand."""
    ticks = 4 if rng.random() < 0.5 else 12
    lines = [arc(0.5, 0.5, 0.47, 0.47, 0, 2 * np.pi, 40)]
    for a in 2 * np.pi * np.arange(ticks) / ticks:
        c, s = np.cos(a), np.sin(a)
        lines.append([(0.5 + 0.38 * c, 0.5 + 0.38 * s), (0.5 + 0.44 * c, 0.5 + 0.44 * s)])
    hour, minute = rng.uniform(0, 2 * np.pi, 2)
    lines.append([(0.5, 0.5), (0.5 + 0.2 * np.cos(hour), 0.5 + 0.2 * np.sin(hour))])
    lines.append([(0.5, 0.5), (0.5 + 0.32 * np.cos(minute), 0.5 + 0.32 * np.sin(minute))])
    return _jitter(rng, lines, 0.008)


def _spider(rng):
    """A round body with a smaller head and eight bent legs, four on each side."""
    body = arc(0.5, 0.55, 0.13, 0.15, 0, 2 * np.pi, 24)
    head = arc(0.5, 0.33, 0.07, 0.07, 0, 2 * np.pi, 16)
    lines = [body, head]
    for side in (-1, 1):
        for i in range(4):
            y = 0.45 + 0.07 * i
            knee = (0.5 + side * rng.uniform(0.25, 0.32), y - rng.uniform(0.1, 0.18))
            foot = (0.5 + side * rng.uniform(0.4, 0.48), y + rng.uniform(0.05, 0.25))
            lines.append([(0.5 + side * 0.11, y), knee, foot])
    return _jitter(rng, lines, 0.01)


def _strokes(make):
    """A family drawn from polylines: make(rng) -> lines; returns (rng, box, width) -> RGBA."""
    return lambda rng, box, width: brush(along(make(rng)), box, width)


HELD_OUT_4 = {  # never trained or tuned on: reported once, after the glyph-corpus detector
    "keys": _strokes(_key),
    "cups": _strokes(_cup),
    "umbrellas": _strokes(_umbrella),
    "cars": _strokes(_car),
    "ladders": _strokes(_ladder),
    "sailboats": _strokes(_sailboat),
    "spectacles": _strokes(_spectacles),
    "clocks": _strokes(_clock),
    "spiders": _strokes(_spider),
}
