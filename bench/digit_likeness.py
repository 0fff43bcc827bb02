"""An experiment, measured 2026-12-07 and not shipped: a second "not a digit" score fused with
the network's, and the file it needs (~0.7 MB, artifacts/digit_likeness.npz, not committed).

The "not a digit" network learns the kinds of non-digit it was shown. This score is learnt from
real digits alone: the distance to the nearest REFERENCES handwritten digits redrawn through the
Draw page's path (k nearest, cosine, on a blurred 14 x 14 copy). Each score becomes a tail share,
the share of real digits scoring as high or higher (the BUILD real digits of
bench/nondigit_detector.py: the first CALIBRATION MNIST test digits of even index, redrawn), and
the two are fused as Fisher's -log(a) - log(b); the threshold lets the page (hand rules + fused
score) doubt or refuse DOUBTED of those digits. Chosen on build kinds only (leave-one-group-out
with a smaller network, bench/nondigit_lofo.py: 51% named against 43% for that network alone),
it named fewer held-out non-digits than the shipped network alone (bench/nondigits.py with
LIKENESS, README's Draw), so the page does not use it. 2-6 min on 2 busy cores; the same file
byte for byte each time (two runs compared, 2026-12-07):
    MNIST_DIR=/work/shared/datasets/mnist OPENBLAS_NUM_THREADS=1 \\
        python bench/digit_likeness.py [OUT.npz]
"""

import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcore.data import load_mnist
from mlcore.digit_check import (
    MLP_DETECTOR_FILE,
    load_detector,
    not_digit_probability,
    read_canvas,
)
from tests.nondigits import redrawn_digits

LIKENESS_FILE = Path(__file__).resolve().parent.parent / "artifacts" / "digit_likeness.npz"
SEED = 2607
REFERENCES = 10_000  # redrawn training digits kept (1.96 MB as uint8, 0.69 MB compressed)
CALIBRATION = 3000  # BUILD real digits: as many as set the network's own threshold
DOUBTED = 0.009  # of them the page may doubt or refuse (the goal: <= 1%)
CHUNK = 500  # canvases made at a time (0.3 MB each)

NEAREST = 5  # references averaged: one could be a lookalike of a non-digit


class Likeness(NamedTuple):
    """Real digits to compare with and the scores of real digits to read a score against."""

    references: np.ndarray  # (m, 196) float32: pooled() rows of redrawn training digits
    network_digits: np.ndarray  # (c,) sorted: "not a digit" probabilities of real digits
    nearest_digits: np.ndarray  # (c,) sorted: nearest_distance() of the same digits
    threshold: float  # a fused score above it: not like a digit


def pooled(pixels: np.ndarray) -> np.ndarray:
    """Images (n, 784) 0-255 -> (n, 196) float32 unit rows: blurred (1 2 1), 2 x 2 averaged.

    The blur and the coarser grid forgive a stroke a pixel off, which real digits have.
    """
    image = np.pad(pixels.reshape(-1, 28, 28).astype(np.float32), ((0, 0), (1, 1), (1, 1)))
    rows = image[:, :-2] + 2 * image[:, 1:-1] + image[:, 2:]  # (n, 28, 30): blurred down
    blurred = rows[:, :, :-2] + 2 * rows[:, :, 1:-1] + rows[:, :, 2:]  # (n, 28, 28)
    small = blurred.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(-1, 196)
    return small / np.maximum(np.linalg.norm(small, axis=1, keepdims=True), 1e-6)


def nearest_distance(pixels: np.ndarray, references: np.ndarray, k: int = NEAREST) -> np.ndarray:
    """1 - mean cosine similarity of each image (n, 784) to its k nearest references
    (m, 196) -> (n,)."""
    similar = pooled(pixels) @ references.T  # (n, 196) @ (196, m) -> (n, m)
    return 1 - np.partition(similar, -k, axis=1)[:, -k:].mean(axis=1)


def tail_share(scores: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Share of real digits' sorted scores digits (c,) at or above each of scores (n,) -> (n,);
    (count + 1) / (c + 1), so never 0."""
    above = len(digits) - np.searchsorted(digits, scores, side="left")
    return (above + 1) / (len(digits) + 1)


def fused_score(network: np.ndarray, nearest: np.ndarray, likeness: Likeness) -> np.ndarray:
    """Fisher's -log(a) - log(b) of the two tail shares (n,) each -> (n,): higher, less like
    a digit."""
    a = tail_share(network, likeness.network_digits)
    b = tail_share(nearest, likeness.nearest_digits)
    return -np.log(a) - np.log(b)


def load_likeness(path: str | Path = LIKENESS_FILE) -> Likeness:
    """The Likeness saved at path (.npz: references as uint8, the two score lists, threshold)."""
    with np.load(path, allow_pickle=False) as f:
        references = f["references"].astype(np.float32) / 255
        likeness = Likeness(
            references / np.linalg.norm(references, axis=1, keepdims=True),
            f["network_digits"].astype(np.float32),
            f["nearest_digits"].astype(np.float32),
            float(f["threshold"]),
        )
    if likeness.references.shape[1] != 196:
        raise ValueError(f"{path}: references of {likeness.references.shape[1]} values, not 196")
    for a in likeness[:3]:
        a.flags.writeable = False  # shared by every session of a server
    return likeness


def saved_references(references: np.ndarray) -> np.ndarray:
    """Unit rows (m, 196) as the file keeps them: uint8, each row's largest value 255 at most."""
    return np.round(references * 255).astype(np.uint8)


def read_digits(images: np.ndarray, seed: int) -> tuple[np.ndarray, int]:
    """Real digits (n, 784) redrawn on the seed -> (pixels (m, 784) of those the hand rules
    neither refuse nor doubt, how many they refused or doubted)."""
    readings = [read_canvas(c, None) for c in redrawn_digits(images, seed)]
    kept = [r.pixels.ravel() for r in readings if r.pixels is not None and r.doubt is None]
    return np.array(kept, np.float32).reshape(-1, 784), len(readings) - len(kept)


def references(X_train: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """REFERENCES pooled rows (REFERENCES, 196) of training digits X_train (60000, 784)."""
    rows, parts, start = rng.permutation(len(X_train)), [], 0
    while sum(map(len, parts)) < REFERENCES:
        parts.append(read_digits(X_train[rows[start : start + CHUNK]], 1000 + start)[0])
        start += CHUNK
    return pooled(np.vstack(parts)[:REFERENCES])


def threshold_of(scores: np.ndarray, ruled: int) -> float:
    """The fused threshold doubting at most DOUBTED of ruled + len(scores) real digits, ruled of
    them already doubted or refused by the hand rules; scores (n,): the rest's fused scores."""
    scores = np.sort(scores)[::-1]
    room = int(DOUBTED * (ruled + len(scores))) - ruled
    return float(scores[max(room, 0)]) if room < len(scores) else 0.0


def main(out: Path) -> None:
    out.parent.mkdir(exist_ok=True)
    start, rng = time.time(), np.random.default_rng(SEED)
    mnist = load_mnist()
    refs = saved_references(references(mnist.X_train, rng))
    unit = refs.astype(np.float32) / 255
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)  # as load_likeness reads them
    digits, ruled = read_digits(mnist.X_test[0::2][:CALIBRATION], 0)
    network = not_digit_probability(digits, load_detector(MLP_DETECTOR_FILE))  # (n,) float32
    nearest = nearest_distance(digits, unit).astype(np.float32)
    likeness = Likeness(unit, np.sort(network), np.sort(nearest), 0.0)
    threshold = threshold_of(fused_score(network, nearest, likeness), ruled)
    np.savez_compressed(
        out,
        references=refs,
        network_digits=likeness.network_digits,
        nearest_digits=likeness.nearest_digits,
        threshold=np.float64(threshold),  # as compared: a rounded one could let a digit more in
    )
    print(
        f"{len(refs)} references; {len(digits)} + {ruled} ruled calibration digits; threshold "
        f"{threshold:.4f}; wrote {out} ({out.stat().st_size / 1e6:.2f} MB) in "
        f"{time.time() - start:.0f} s"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else LIKENESS_FILE)
