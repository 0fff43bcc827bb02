"""Seeded drawings that are not one digit, by family, and real digits drawn the same way.

Every drawing is a 280 x 280 RGBA canvas as the Draw page gets it: white strokes on black,
at a brush width of the page's slider (8-48 px) in three bands. Families are split once, here,
before any detector was measured: BUILD families are the only ones a detector may be tuned or
trained on; HELD_OUT families (other fonts, other shapes, symbols, words) only report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .brush import along, brush, centre_line, glyph
from .drawing import arc, draw
from .nondigits_build_more import (
    ARMENIAN,
    BUILD_SYMBOLS,
    HEBREW,
    digit_made,
    flat_line,
    polygon,
    slanted,
    wide_oval_or_box,
)
from .nondigits_held_out_3 import HELD_OUT_3
from .nondigits_held_out_4 import HELD_OUT_4
from .nondigits_held_out_5 import HELD_OUT_5
from .nondigits_held_out_new import HELD_OUT_NEW

WIDTHS = ((8, 14), (20, 32), (36, 48))  # thin, medium, thick brushes: item i uses band i % 3
FONTS = Path("/usr/share/fonts/truetype")  # Debian's fonts-dejavu-core and fonts-liberation
BUILD_FONTS = [  # fonts-dejavu-core's six (DejaVuSans-Oblique is in fonts-dejavu-extra)
    "dejavu/DejaVuSans.ttf",
    "dejavu/DejaVuSans-Bold.ttf",
    "dejavu/DejaVuSerif.ttf",
    "dejavu/DejaVuSerif-Bold.ttf",
    "dejavu/DejaVuSansMono.ttf",
    "dejavu/DejaVuSansMono-Bold.ttf",
]
HELD_OUT_FONTS = [
    "liberation/LiberationSerif-Regular.ttf",
    "liberation/LiberationSans-Italic.ttf",
    "liberation/LiberationSansNarrow-Regular.ttf",
    "liberation/LiberationMono-Regular.ttf",
]
# Letters nobody would take for a digit (no O, Q, D, I, l, i, j, S, Z, B, b, g, q, G, J, L, y, p).
LETTERS = "ACEFHKMNPRTUVWXYacefhkmnrtuvwx"
SYMBOLS = "+=?#&@%*"

STROKE_LETTERS = {  # letters far from any digit, as polylines in unit coordinates (x right, y down)
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


def _polygon(rng, k, star=False):
    """A closed regular k-gon (star: every other vertex pulled in), turned at random."""
    turn = rng.uniform(0, 2 * np.pi)
    radii = [0.5, 0.2] * k if star else [0.5] * k
    n = len(radii)
    pts = [
        (0.5 + r * np.cos(turn + 2 * np.pi * i / n), 0.5 + r * np.sin(turn + 2 * np.pi * i / n))
        for i, r in enumerate(radii)
    ]
    return [[*pts, pts[0]]]


def _basic_shape(rng):
    kind = rng.integers(3)
    if kind == 0:
        return [arc(0.5, 0.5, 0.45, 0.45 * rng.uniform(0.8, 1.0), 0, 2 * np.pi, 40)]  # a circle
    return _polygon(rng, 4 if kind == 1 else 3)  # a square or a triangle


def _heart(n=48):
    """The classic heart curve, scaled into the unit square (y down)."""
    t = np.linspace(0, 2 * np.pi, n)
    x, y = (
        16 * np.sin(t) ** 3,
        13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t),
    )
    return [list(zip(0.5 + x / 34, 0.45 - y / 34, strict=True))]


def _other_shape(rng):
    kind = rng.integers(3)
    if kind == 0:
        return _polygon(rng, 5, star=True)
    if kind == 1:
        return _heart()
    head = rng.uniform(0.15, 0.3)  # an arrow, pointing right
    tip = [(0.95 - head, 0.5 - head), (0.95, 0.5), (0.95 - head, 0.5 + head)]
    return [[(0.05, 0.5), (0.95, 0.5)], tip]


def _other_stroke(rng):
    """A zig-zag, a spiral or a wave: one long stroke unlike any digit."""
    kind, turns = rng.integers(3), rng.integers(3, 6)
    if kind == 0:
        return [[(i / (2 * turns), 0.2 + 0.6 * (i % 2)) for i in range(2 * turns + 1)]]
    t = np.linspace(0, 2 * np.pi * turns / 2, 30 * turns)
    if kind == 1:
        r = 0.05 + 0.45 * t / t[-1]
        return [list(zip(0.5 + r * np.cos(t), 0.5 + r * np.sin(t), strict=True))]
    return [list(zip(t / t[-1], 0.5 + 0.2 * np.sin(2 * t), strict=True))]


def _text(rng, fonts, chars, k=1):
    """k characters of chars in one of fonts, rendered then thinned to strokes (unit points)."""
    text = "".join(rng.choice(list(chars), k))
    return centre_line(glyph(text, str(FONTS / rng.choice(fonts))))


def _stroke_letter(rng):
    return STROKE_LETTERS[rng.choice(list(STROKE_LETTERS))]


def _other_script(rng):
    """An Armenian letter in a DejaVu font, or a Hebrew one in DejaVu Sans (its only one)."""
    if rng.random() < 0.7:
        return _text(rng, BUILD_FONTS, ARMENIAN)
    return _text(rng, BUILD_FONTS[:2], HEBREW)


def _strokes(make):
    """A family drawn from polylines: make(rng) -> lines; returns (rng, box, width) -> RGBA."""
    return lambda rng, box, width: brush(along(make(rng)), box, width)


def _points(make):
    """A family drawn from centre-line points: make(rng) -> (k, 2); same signature."""
    return lambda rng, box, width: brush(make(rng), box, width)


BUILD = {  # the only families a detector may be tuned or trained on
    "letters, DejaVu fonts": _points(lambda rng: _text(rng, BUILD_FONTS, LETTERS)),
    "letters, DejaVu fonts, slanted": _points(
        lambda rng: slanted(_text(rng, BUILD_FONTS, LETTERS), rng)
    ),
    "words of 2-4 letters, DejaVu fonts": _points(
        lambda rng: _text(rng, BUILD_FONTS, LETTERS, rng.integers(2, 5))
    ),
    "symbols $ < > { } ~ ^ € £ ..., DejaVu": _points(
        lambda rng: _text(rng, BUILD_FONTS, BUILD_SYMBOLS)
    ),
    "Armenian and Hebrew letters, DejaVu": _points(_other_script),
    "letters as strokes": _strokes(lambda rng: _stroke_letter(rng)),
    "letters as strokes, slanted": _points(lambda rng: slanted(along(_stroke_letter(rng)), rng)),
    "circles, squares, triangles": _strokes(_basic_shape),
    "polygons of 5-8 sides": _strokes(polygon),
    "wide ovals and rectangles": _strokes(wide_oval_or_box),
    "flat lines": _strokes(flat_line),
    "scribbles": _strokes(lambda rng: _scribble(rng, rng.integers(8, 20))),
    "random walks": _strokes(lambda rng: _walk(rng, rng.integers(40, 90))),
    "dots": _strokes(lambda rng: _dots(rng, rng.integers(2, 6))),
}
HELD_OUT = {  # never looked at while building: only reported
    "letters, Liberation fonts": _points(lambda rng: _text(rng, HELD_OUT_FONTS, LETTERS)),
    "words of 2-3 letters": _points(
        lambda rng: _text(rng, HELD_OUT_FONTS, LETTERS, rng.integers(2, 4))
    ),
    "symbols + = ? # & @ % *": _points(lambda rng: _text(rng, HELD_OUT_FONTS, SYMBOLS)),
    "stars, hearts, arrows": _strokes(_other_shape),
    "zig-zags, spirals, waves": _strokes(_other_stroke),
}


def width_of(i: int, rng: np.random.Generator) -> float:
    """Item i's brush width: in band i % 3 of WIDTHS (thin, medium, thick)."""
    return float(rng.uniform(*WIDTHS[i % len(WIDTHS)]))


# A build drawing (seed 5, the tests' seed) the detector alone lets through (p 0.844 below its
# threshold 0.881) and whose reading flips under the changes (unsteady_score 2.31 > 2.14).
# (The single CNN's WOBBLY, Armenian and Hebrew letters 4, the three CNNs name alone: p 0.944.)
WOBBLY = ("symbols $ < > { } ~ ^ € £ ..., DejaVu", 33)
# A build random walk that was WOBBLY for the page's detector before the convolutional ones
# (p 0.88 below its threshold 0.90; unsteady_score 2.90); the page's detector names it alone.
WOBBLY_BEFORE = ("random walks", 3)


def family(name: str, n: int, seed: int = 0) -> list[np.ndarray]:
    """n seeded canvases (280, 280, 4) of the family called name (in BUILD, HELD_OUT,
    HELD_OUT_NEW, HELD_OUT_3, HELD_OUT_4 or HELD_OUT_5)."""
    make = {**BUILD, **HELD_OUT, **HELD_OUT_NEW, **HELD_OUT_3, **HELD_OUT_4, **HELD_OUT_5}[name]
    rng = np.random.default_rng([seed, *name.encode()])
    return [make(rng, _box(rng), width_of(i, rng)) for i in range(n)]


def redrawn_digits(images: np.ndarray, seed: int = 0) -> list[np.ndarray]:
    """Real digits drawn the same way: MNIST images (n, 784) thinned to their centre line and
    redrawn with a brush of the three bands in a random box -> canvases (280, 280, 4)."""
    rng = np.random.default_rng(seed)
    return [
        brush(centre_line(x.reshape(28, 28)), _box(rng), width_of(i, rng))
        for i, x in enumerate(images)
    ]


def digit_made_non_digits(
    images: np.ndarray, labels: np.ndarray, n: int, seed: int = 0
) -> list[np.ndarray]:
    """n canvases (280, 280, 4) made of the real digits images (m, 784) with labels (m,): turned
    a quarter, two side by side, two over each other (tests/nondigits_build_more.py). BUILD."""
    rng = np.random.default_rng([seed, 11])
    lines = [centre_line(x.reshape(28, 28)) for x in images]
    return [brush(digit_made(lines, labels, rng)[1], _box(rng), width_of(i, rng)) for i in range(n)]


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
        letter = STROKE_LETTERS[list(STROKE_LETTERS)[i % len(STROKE_LETTERS)]]
        out.append(("letter", draw(letter, box=_box(rng), width=rng.uniform(8, 30))))
    return out


def typed_digits(n: int, seed: int = 0) -> list[np.ndarray]:
    """Digits typed in the HELD_OUT fonts, redrawn with a brush: real digits, not handwriting."""
    rng = np.random.default_rng([seed, 10])
    return [
        brush(_text(rng, HELD_OUT_FONTS, "0123456789"), _box(rng), width_of(i, rng))
        for i in range(n)
    ]
