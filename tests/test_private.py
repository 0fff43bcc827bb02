"""The private split: a teacher's IDX pair, read with a sentence for a wrong folder, and a
model scored on it."""

from __future__ import annotations

import numpy as np
import pytest

from mlcore.idx import write_idx
from mlcore.model import Model
from mlcore.network import Params
from mlcore.scaling import Scaling
from runs.private import PRIVATE_ENV, accuracy, load_private


def split_folder(tmp_path, labels):
    # Noise, not zeros: an all-black gz file would unpack to ~1,000 times its size, which the
    # reader refuses as a gzip bomb (real image files shrink ~5 times).
    images = np.random.default_rng(0).integers(0, 256, (len(labels), 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "mine-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "mine-labels-idx1-ubyte", np.array(labels, dtype=np.uint8))
    return tmp_path


def test_no_folder_means_no_private_split_and_a_wrong_one_is_named(tmp_path):
    assert load_private({}) is None
    with pytest.raises(ValueError, match="one \\*images-idx3-ubyte and one"):
        load_private({PRIVATE_ENV: str(tmp_path)})


def test_a_model_is_scored_on_every_image_of_the_split(tmp_path):
    split = load_private({PRIVATE_ENV: str(split_folder(tmp_path, [3] * 2_500 + [4] * 500))})
    assert len(split.y) == 3_000 and len(split.fingerprint) == 12
    w2 = np.zeros((4, 10), np.float32)
    b2 = np.zeros(10, np.float32)
    b2[3] = 1.0  # every image: a 3
    model = Model(Params(np.zeros((784, 4), np.float32), np.zeros(4, np.float32), w2, b2),
                  Scaling("unit", 0.0, 255.0))  # fmt: skip
    assert accuracy(model, split) == pytest.approx(2_500 / 3_000)
