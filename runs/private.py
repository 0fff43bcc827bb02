"""The leaderboard's private split: digits no page of the app ever shows.

Why a teacher's own folder, not a part of MNIST's test set: every page (Train, Lessons,
Inside, the hints, the run tables) reports accuracy on MNIST's 10,000 test images, and a class
tunes to what it sees. Keeping, say, 5,000 of them out of the pages would change what "test
accuracy" means on every page, in every lesson's conclusion and in the README's figures, and
the half kept back would still have been seen by anyone who downloaded MNIST. A split is
private only if no page loads it: the teacher's own IDX pair (images and labels, MNIST's
format, e.g. digits the class drew on paper, or a part of another MNIST-like set) in the
folder MNIST_LAB_PRIVATE_DIR, the same on every app server (its fingerprint is logged).

Each handed-in run's final weights are scored on it by the server that shows the board; the
teacher sees both scores, students the private one once the teacher closes the challenge.
Without the folder the board ranks by test accuracy and the Class page says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlcore.idx import IMAGES_MAGIC, LABELS_MAGIC, IdxError, read_idx
from mlcore.model import Model
from runs.deployment import fingerprint

PRIVATE_ENV = "MNIST_LAB_PRIVATE_DIR"
BATCH = 2_000  # images per forward pass: bounded memory for any split's size


@dataclass(frozen=True)
class PrivateSplit:
    X: np.ndarray  # (n, 784) uint8, read-only
    y: np.ndarray  # (n,) digits
    where: str
    fingerprint: str

    @property
    def description(self) -> str:
        return f"{len(self.y):,} images from {self.where} (fingerprint {self.fingerprint})"


def load_private(env=None) -> PrivateSplit | None:
    """The split in $MNIST_LAB_PRIVATE_DIR (one *images-idx3-ubyte* and one *labels-idx1-ubyte*
    file, .gz or not); None when unset; ValueError saying what is wrong with the folder."""
    folder = (os.environ if env is None else env).get(PRIVATE_ENV)
    if not folder:
        return None
    path = Path(folder)
    images = sorted(path.glob("*images-idx3-ubyte*")) if path.is_dir() else []
    labels = sorted(path.glob("*labels-idx1-ubyte*")) if path.is_dir() else []
    if len(images) != 1 or len(labels) != 1:
        raise ValueError(
            f"{PRIVATE_ENV}={folder} must be a folder with one *images-idx3-ubyte and one "
            f"*labels-idx1-ubyte file (found {len(images)} and {len(labels)})"
        )
    try:
        X = read_idx(images[0], IMAGES_MAGIC).reshape(-1, 784)
        y = read_idx(labels[0], LABELS_MAGIC)
    except (IdxError, OSError) as e:
        raise ValueError(f"{PRIVATE_ENV}: {e}") from None
    if len(X) != len(y) or len(y) == 0:
        raise ValueError(f"{PRIVATE_ENV}: {len(X):,} images but {len(y):,} labels")
    X.flags.writeable = y.flags.writeable = False
    return PrivateSplit(X, y, str(path), fingerprint([X, y]))


def accuracy(model: Model, split: PrivateSplit) -> float:
    """The share of the split's images model classifies right."""
    right = 0
    for start in range(0, len(split.y), BATCH):
        chunk = slice(start, start + BATCH)
        right += int((model.predict_proba(split.X[chunk]).argmax(1) == split.y[chunk]).sum())
    return right / len(split.y)
