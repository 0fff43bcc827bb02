"""The detector's glyph corpus (bench/glyph_corpus.py) holds no held-out kind and no digit."""

from __future__ import annotations

import unicodedata

from bench.glyph_corpus import allowed, candidates

from .nondigits import SYMBOLS
from .nondigits_held_out_3 import CYRILLIC
from .nondigits_held_out_5 import MATH_SIGNS
from .nondigits_held_out_new import GREEK


def test_the_corpus_refuses_every_held_out_character_and_digit():
    held_out = SYMBOLS + GREEK + CYRILLIC + "0123456789٣۴߃३½²①Ⅻ"
    assert not [c for c in held_out if allowed(ord(c))]


def test_the_corpus_refuses_symbols_of_held_out_kinds():
    # faces, stars, hearts, notes, check marks, arrows, box drawing, + and = kin, and
    # tests/nondigits_held_out_4.py's objects (a watch, a sailboat, an umbrella), and
    # tests/nondigits_held_out_5.py's signs and kinds (scissors, a chess rook, a leaf, a cat)
    kinds = "☺★♥♪✓☑→⇒┼╬⊕≠≡⁇‰∗⌚⛵☂⊠⌧√✂♜❦🐈" + MATH_SIGNS
    assert not [c for c in kinds if allowed(ord(c))]


def test_the_corpus_keeps_letters_and_symbols_of_many_scripts():
    kept = candidates()
    scripts = {unicodedata.name(chr(cp)).split()[0] for cp in kept}
    assert len(kept) > 2000 and len(scripts) > 30, (len(kept), len(scripts))
    assert all(allowed(ord(c)) for c in "AWՃⴰᐁ⌘◇⊢")
