"""Model files uploaded on Draw and Inside are kept with a cap: count and bytes per tab."""

from __future__ import annotations

import numpy as np

from mlcore.model import Model
from mlcore.network import Params
from mlcore.scaling import Scaling
from ui.picker import MAX_UPLOADED_BYTES, MAX_UPLOADED_MODELS, cap_uploads, let_go_sentence


def model(hidden: int) -> Model:
    """A model of hidden units in float64 (zeros: no memory is touched)."""
    params = Params(np.zeros((784, hidden)), np.zeros(hidden), np.zeros((hidden, 10)), np.zeros(10))
    return Model(params, Scaling("unit", 0.0, 255.0))


def uploads(*hidden: int) -> dict:
    return {f"upload-{i + 1}": (f"m{i + 1}.npz", model(h)) for i, h in enumerate(hidden)}


def test_only_the_newest_uploads_are_kept_and_the_others_named():
    kept, let_go = cap_uploads(uploads(*[20] * (MAX_UPLOADED_MODELS + 2)))
    assert list(kept) == [f"upload-{i}" for i in (3, 4, 5)] and let_go == ["m1.npz", "m2.npz"]


def test_six_large_uploads_keep_at_most_the_byte_cap_and_always_the_newest():
    big = 9_000  # 784 x 9,000 float64: 57 MB, as the probe's 61 MB files
    kept, let_go = cap_uploads(uploads(*[big] * 6))
    total = sum(a.nbytes for _, m in kept.values() for a in m.params.arrays())
    assert list(kept) == ["upload-6"] and total <= MAX_UPLOADED_BYTES and len(let_go) == 5


def test_the_sentence_names_the_cap_and_the_files_let_go():
    text = let_go_sentence(["a.npz", "b.npz"])
    assert f"{MAX_UPLOADED_MODELS} newest" in text and "a.npz, b.npz" in text
