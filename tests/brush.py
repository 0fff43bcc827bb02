"""Anything redrawn as the Draw page's canvas would hold it: its centre line, one brush width.

A rendered letter or an MNIST digit is thinned to its centre line (Zhang and Suen's thinning,
1984) and that line is drawn again with a round brush of the chosen width, white on black, in a
box of a 280 x 280 RGBA canvas: the strokes a hand would draw, at the brush width a student
picked. No mlcore here: what is measured must not share code with what measures it.
"""

from __future__ import annotations

import itertools

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CANVAS = 280  # the Draw page's canvas side, px
FINE = 96  # the thinned image's longer side, px: fine enough for a 20-px-box digit's strokes

# Zhang-Suen's neighbours P2..P9, clockwise from north, as (row, column) offsets.
_RING = [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]


def thin(mask: np.ndarray) -> np.ndarray:
    """The one-pixel centre line of mask (h, w) bool (Zhang-Suen thinning) -> (h, w) bool."""
    m = np.pad(mask.astype(np.uint8), 1)
    h, w = m.shape
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            p = [m[1 + dr : h - 1 + dr, 1 + dc : w - 1 + dc] for dr, dc in _RING]
            count = sum(q.astype(np.int32) for q in p)  # ink neighbours
            turns = sum(((p[i] == 0) & (p[(i + 1) % 8] == 1)).astype(np.int32) for i in range(8))
            if step == 0:
                away = (p[0] * p[2] * p[4] == 0) & (p[2] * p[4] * p[6] == 0)
            else:
                away = (p[0] * p[2] * p[6] == 0) & (p[0] * p[4] * p[6] == 0)
            drop = (m[1:-1, 1:-1] == 1) & (count >= 2) & (count <= 6) & (turns == 1) & away
            if drop.any():
                m[1:-1, 1:-1][drop] = 0
                changed = True
    return m[1:-1, 1:-1].astype(bool)


def centre_line(grey: np.ndarray) -> np.ndarray:
    """Points (k, 2) as (x, y) of the centre line of grey (h, w) 0-255 ink, its crop scaled
    so its longer side spans 1 (the ink: half of full or more, once scaled)."""
    rows, cols = np.nonzero(grey >= 128)
    crop = np.asarray(grey, np.uint8)[rows.min() : rows.max() + 2, cols.min() : cols.max() + 2]
    scale = FINE / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    big = np.asarray(Image.fromarray(crop).resize(size, Image.BILINEAR))
    r, c = np.nonzero(thin(big >= 128))
    return np.column_stack([c + 0.5, r + 0.5]) / FINE


def brush(points: np.ndarray, box: tuple, width: float) -> np.ndarray:
    """RGBA (280, 280, 4): points (k, 2) in [0, 1] drawn in box (x0, y0, x1, y1) of the canvas
    (a fraction of it; the points keep their aspect ratio) with a round brush width px wide."""
    x0, y0, x1, y1 = (CANVAS * v for v in box)
    span = points.max(axis=0) - points.min(axis=0)
    scale = min((x1 - x0) / max(span[0], 1e-9), (y1 - y0) / max(span[1], 1e-9))
    xy = (points - points.min(axis=0)) * scale + [x0, y0]
    image = Image.new("L", (CANVAS, CANVAS))
    pen = ImageDraw.Draw(image)
    r = width / 2
    for x, y in xy:
        pen.ellipse((x - r, y - r, x + r, y + r), fill=255)
    rgba = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    rgba[..., :3] = np.asarray(image)[..., None]
    rgba[..., 3] = 255
    return rgba


def along(lines: list, step: float = 0.004) -> np.ndarray:
    """Points (k, 2) every step along polylines [[(x, y), ...], ...] in unit coordinates."""
    out = []
    for line in lines:
        p = np.asarray(line, float)
        for a, b in itertools.pairwise(p):
            n = max(1, int(np.ceil(np.hypot(*(b - a)) / step)))
            out.append(a + np.linspace(0, 1, n + 1)[:, None] * (b - a))
        out.append(p[-1:])
    return np.vstack(out)


def glyph(text: str, font: str | None, size: int = 160) -> np.ndarray:
    """text rendered in the TrueType font at path font (None: Pillow's own) -> (h, w) 0-255."""
    face = ImageFont.truetype(font, size) if font else ImageFont.load_default(size)
    image = Image.new("L", (size * (len(text) + 1), 2 * size))
    ImageDraw.Draw(image).text((size // 2, size // 2), text, fill=255, font=face)
    return np.asarray(image)
