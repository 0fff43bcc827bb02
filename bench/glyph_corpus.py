"""A broad corpus of non-digits for the "not a digit" detector: glyphs of the DejaVu fonts.

Outlier exposure works best with diverse outliers. DejaVu (fonts-dejavu-core's six, the build
fonts of tests/nondigits.py, which CI installs too; Liberation is held out) hold thousands of
code points across scripts and symbol blocks: Latin extended, IPA, Georgian, Arabic, N'Ko,
Lao, Tifinagh, Canadian syllabics, math operators, technical symbols, geometric
shapes, braille... Left out so the held-out figures stay honest: every block or kind a held-out
family covers (Greek, Coptic, Cyrillic, arrows, the miscellaneous symbols, dingbats, box
drawing, stars, hearts, notes, faces, check marks, + = ? # & @ % * and their kin, and any code
point whose Unicode name names an object of tests/nondigits_held_out_4.py or a kind of
_5.py, and _5.py's mathematical signs), everything a digit
(Unicode categories Nd, No, Nl), marks, spaces, controls and private use, glyphs that render
empty, and glyphs that read as a digit: through the page, nearer to a real MNIST training digit
than the NEAR_QUANTILE of redrawn training digits are to theirs (O, l, I, S, Z, b, g, q, ...).
    MNIST_DIR=/work/shared/datasets/mnist python bench/glyph_corpus.py  (prints what is kept)
"""

import sys
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np
from fontTools.ttLib import TTFont  # bench only: reads which code points each font holds

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcore.digit_check import digit_distance, read_canvas, reference_digits
from tests.brush import brush, centre_line, glyph
from tests.nondigits import BUILD_FONTS, width_of
from tests.nondigits_held_out_5 import MATH_SIGNS

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
KEPT_CATEGORIES = {"Lu", "Ll", "Lt", "Lm", "Lo", "Sm", "So", "Sc", "Sk", "Po", "Ps", "Pe"}
EXCLUDED_RANGES = (  # (first, last) code points of blocks a held-out family covers
    (0x0370, 0x03FF),  # Greek and Coptic (HELD_OUT_NEW)
    (0x1F00, 0x1FFF),  # Greek Extended
    (0x2C80, 0x2CFF),  # Coptic
    (0x0400, 0x052F),  # Cyrillic, Cyrillic Supplement (HELD_OUT_3)
    (0x1C80, 0x1C8F),  # Cyrillic Extended-C
    (0x2DE0, 0x2DFF),  # Cyrillic Extended-A
    (0xA640, 0xA69F),  # Cyrillic Extended-B
    (0x2150, 0x218F),  # Number Forms (fractions, Roman numerals)
    (0x2190, 0x21FF),  # Arrows (HELD_OUT)
    (0x27F0, 0x27FF),  # Supplemental Arrows-A
    (0x2900, 0x297F),  # Supplemental Arrows-B
    (0x2B00, 0x2BFF),  # Miscellaneous Symbols and Arrows
    (0x2500, 0x257F),  # Box Drawing (tables, HELD_OUT_3)
    (0x2600, 0x26FF),  # Miscellaneous Symbols (faces, notes, suns, stars, hearts, ...)
    (0x2700, 0x27BF),  # Dingbats (check marks, stars, flowers, ...)
    (0x1D100, 0x1D1FF),  # Musical Symbols
    (0x1D400, 0x1D7FF),  # Mathematical Alphanumeric Symbols (Greek, digits)
    (0x1F000, 0x1FAFF),  # emoji, playing cards, pictographs
)
# A code point whose Unicode name holds one of these words is left out: a held-out kind.
EXCLUDED_WORDS = {
    *("PLUS", "EQUAL", "EQUALS", "IDENTICAL", "QUESTION", "NUMBER", "AMPERSAND", "COMMERCIAL"),
    *("PERCENT", "MILLE", "ASTERISK", "STAR", "HEART", "ARROW", "ARROWHEAD", "HARPOON"),
    *("FACE", "SMILE", "CHECK", "BALLOT", "TICK", "NOTE", "MUSIC", "MUSICAL", "SHARP", "FLAT"),
    *("HOUSE", "MOON", "LIGHTNING", "CLOUD", "GREEK", "COPTIC", "CYRILLIC", "DIGIT", "NUMERAL"),
    *("ROMAN", "FRACTION", "ZIGZAG", "SPIRAL", "WAVE", "WAVY", "SINE", "TREE", "ENVELOPE", "EYE"),
    *("SUN", "FLOWER", "FLORAL", "FLORETTE", "ROSETTE", "FISH", "GRID", "CROSSHATCH"),
    # tests/nondigits_held_out_4.py's objects
    *("KEY", "CUP", "MUG", "UMBRELLA", "CAR", "AUTOMOBILE", "LADDER", "BOAT", "SAIL", "SHIP"),
    *("SAILBOAT", "SPECTACLES", "GLASSES", "EYEGLASSES", "CLOCK", "WATCH", "SPIDER"),
    # tests/nondigits_held_out_5.py's kinds
    *("INFINITY", "INTEGRAL", "EXISTS", "CIRCLED", "CAT", "BIRD", "HAMMER", "SCISSORS", "LEAF"),
    *("CHESS", "ROOK", "PAWN", "BUTTERFLY"),
}
# Held-out kinds under other names: a box holding a cross (HELD_OUT_NEW's ballot boxes), a
# square root's tick (its check marks).
HELD_OUT_KIN = "⊠⌧√∛∜" + MATH_SIGNS
# A glyph nearer a training digit than 99% of real digits are to theirs reads as a digit. Chosen
# on build data: at 0.95 (distance 0.197) DejaVu's b and g (0.239, 0.242) were kept; at 0.99
# (0.247) O l I S Z b g q are left out and A (0.294), H, K, W, X kept.
NEAR_QUANTILE = 0.99
CALIBRATION = 2000  # redrawn training digits (not among the references) setting that distance


@cache
def font_code_points() -> dict[str, list[int]]:
    """Each build font (fonts-dejavu-core's six) -> the code points its cmap maps, sorted."""
    return {
        Path(font).name: sorted(TTFont(FONT_DIR / Path(font).name, lazy=True).getBestCmap())
        for font in BUILD_FONTS
    }


def allowed(cp: int) -> bool:
    """Whether code point cp may be taught as a non-digit (before the digit-likeness test)."""
    ch = chr(cp)
    if unicodedata.category(ch) not in KEPT_CATEGORIES or ch in "+=?#&@%*" + HELD_OUT_KIN:
        return False
    if any(lo <= cp <= hi for lo, hi in EXCLUDED_RANGES):
        return False
    return not EXCLUDED_WORDS & set(unicodedata.name(ch, "").replace("-", " ").split())


def candidates() -> dict[int, list[str]]:
    """Allowed code points -> the fonts holding them (font file names)."""
    fonts: dict[int, list[str]] = {}
    for name, cps in font_code_points().items():
        for cp in cps:
            if allowed(cp):
                fonts.setdefault(cp, []).append(name)
    return fonts


def drawn(cp: int, font: str, box: tuple, width: float) -> np.ndarray | None:
    """Code point cp in font thinned and redrawn with a brush -> RGBA, None if it is empty."""
    grey = glyph(chr(cp), str(FONT_DIR / font))
    return brush(centre_line(grey), box, width) if (grey >= 128).sum() >= 4 else None


def near_digit_limit(mnist, references) -> float:
    """The NEAR_QUANTILE of real digits' distances to their nearest reference digit (redrawn
    training digits not among the references, through the page)."""
    from tests.nondigits import redrawn_digits

    rows = mnist.X_train[-CALIBRATION:]
    readings = [read_canvas(c, None) for c in redrawn_digits(rows, seed=7)]
    pixels = np.array([r.pixels.ravel() for r in readings if r.pixels is not None])
    return float(np.quantile(digit_distance(pixels, references), NEAR_QUANTILE))


def corpus_glyphs(mnist) -> tuple[list[tuple[int, list[str]]], float]:
    """The kept (code point, fonts) pairs in code point order, and the distance limit used.

    Each candidate is drawn once (its first font, a medium brush, the full box) through the
    page: refused or nearer a training digit (all but the last CALIBRATION) than the limit,
    it is left out.
    """
    references = reference_digits(mnist.X_train[:-CALIBRATION])
    limit = near_digit_limit(mnist, references)
    kept = []
    for cp, fonts in sorted(candidates().items()):
        canvas = drawn(cp, fonts[0], (0.1, 0.1, 0.9, 0.9), 20)
        reading = None if canvas is None else read_canvas(canvas, None)
        if reading is None or reading.pixels is None:
            continue
        if float(digit_distance(reading.pixels, references)[0]) > limit:
            kept.append((cp, fonts))
    return kept, limit


def corpus_canvases(glyphs: list, n: int, seed: int) -> list[np.ndarray]:
    """n canvases of glyphs [(code point, fonts)]: a 128-code-point page of Unicode at random
    (so no big block crowds out the small ones), a glyph in it, one of its fonts, a random
    box and brush width (tests/nondigits.py's conventions)."""
    from tests.nondigits import _box

    rng = np.random.default_rng([seed, 27])
    pages: dict[int, list] = {}
    for cp, fonts in glyphs:
        pages.setdefault(cp // 128, []).append((cp, fonts))
    keys, out = sorted(pages), []
    while len(out) < n:
        page = pages[keys[rng.integers(len(keys))]]
        cp, fonts = page[rng.integers(len(page))]
        canvas = drawn(cp, fonts[rng.integers(len(fonts))], _box(rng), width_of(len(out), rng))
        if canvas is not None:
            out.append(canvas)
    return out


if __name__ == "__main__":
    from mlcore.data import load_mnist

    glyphs, limit = corpus_glyphs(load_mnist())
    print(f"{len(candidates())} candidates, {len(glyphs)} kept (distance limit {limit:.3f})")
    print("".join(chr(cp) for cp, _ in glyphs))
