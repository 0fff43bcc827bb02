"""Train the Draw page's previous "not a digit" detector, models/nondigit.npz (~0.5 MB).

Replaced on the page on 2026-12-08 by bench/nondigit_cnn.py's convolutional network (kept for
comparison; its training set is that network's too).

MEMBERS networks of the lab's kind (784 -> HIDDEN sigmoid -> softmax over 11: the ten digits
and "not a digit"), each trained with the lab's forward and backward, every image moved by up to
SHIFT pixels each time it is seen, on: MNIST's 60,000 training digits, REDRAWN of them redrawn
with a brush through the Draw page's path, the BUILD families of tests/nondigits.py through that
path too (never a held-out one), non-digits made of training digits (turned a quarter, side
by side, drawn over each other) and, CORPUS given, that many glyphs of the DejaVu fonts
(bench/glyph_corpus.py: letters and symbols of many scripts and blocks, none of a held-out kind
or digit-like; tried 2026-12-07 with 10,000, 21 min, not shipped: docs/NONDIGITS.md). Their
logits are averaged, which is one network 784 -> MEMBERS * HIDDEN -> 11 (the hidden units side
by side, w2 / MEMBERS): the shipped file keeps the page's format. Its threshold: the page (hand
rules and detector) doubts or refuses DOUBTED of the BUILD real digits (the first THRESHOLD_DIGITS
MNIST test digits of even index, redrawn). 10-40 min on 2 busy cores (13 min measured); the
same file byte for byte each time (no CORPUS: models/nondigit.npz):
    MNIST_DIR=/work/shared/datasets/mnist python bench/nondigit_detector.py [OUT.npz [CORPUS]]
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from glyph_corpus import corpus_canvases, corpus_glyphs  # bench/, beside this

from mlcore.data import load_mnist
from mlcore.digit_check import (
    MLP_DETECTOR_FILE,
    NOT_A_DIGIT,
    Detector,
    not_digit_probability,
    read_canvas,
)
from mlcore.network import Params, backward, forward
from tests.nondigits import BUILD, digit_made_non_digits, family, redrawn_digits

SEED = 26
HIDDEN, MEMBERS = 100, 3  # hidden units of each network, networks averaged
PER_FAMILY = 1500  # non-digits of each BUILD family (seed 1; the figures use seed 0)
REDRAWN = 30000  # MNIST training digits redrawn with a brush
DIGIT_MADE = 3000  # non-digits made of (other) training digits
SHIFT = 2  # pixels a training image may move each time it is seen (0: none)
PASSES, BATCH, RATE, MOMENTUM = 8, 128, 0.5, 0.9
DOUBTED = 0.009  # of the BUILD real digits the page may doubt or refuse (the goal: <= 1%)
NAMES = ("w1", "b1", "w2", "b2")
CHUNK = 500  # canvases made at a time (0.3 MB each)
THRESHOLD_DIGITS = 3000  # 1,000 left the share doubted +-0.3% to chance


def through_page(canvases: list) -> tuple[np.ndarray, np.ndarray]:
    """Canvases -> (pixels (n, 784) of those the page reads, indices of those it reads)."""
    readings = [read_canvas(c, None) for c in canvases]
    kept = np.array([i for i, r in enumerate(readings) if r.pixels is not None], int)
    pixels = np.array([readings[i].pixels.ravel() for i in kept], np.float32).reshape(-1, 784)
    return pixels, kept


def in_chunks(make, n: int) -> tuple[np.ndarray, np.ndarray]:
    """through_page of n canvases made CHUNK at a time by make(start, count, seed), each chunk
    on a seed of its own (100 + its number: the figures use 0, the tests 5): a canvas is 0.3 MB.
    -> (pixels (m, 784), indices of the canvases read)."""
    parts = [
        through_page(make(start, min(CHUNK, n - start), 100 + start // CHUNK))
        for start in range(0, n, CHUNK)
    ]
    pixels = np.vstack([p for p, _ in parts])
    kept = np.concatenate([k + i * CHUNK for i, (_, k) in enumerate(parts)])
    return pixels, kept


def training_set(mnist, rng, corpus: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (n, 784) in [0, 1], y (n,) in 0..10: digits, redrawn digits, BUILD non-digits and
    corpus glyphs of bench/glyph_corpus.py (0: none, as shipped)."""
    rows = rng.permutation(len(mnist.y_train))
    redrawn, others = rows[:REDRAWN], rows[REDRAWN : REDRAWN + DIGIT_MADE // 2]
    pixels, kept = in_chunks(
        lambda a, k, s: redrawn_digits(mnist.X_train[redrawn[a : a + k]], s), REDRAWN
    )
    parts = [
        (mnist.X_train.astype(np.float32), mnist.y_train),
        (pixels, mnist.y_train[redrawn][kept]),
    ]
    images, labels = mnist.X_train[others], mnist.y_train[others]  # digits not redrawn alone
    makers = {
        "made of training digits": (
            lambda a, k, s: digit_made_non_digits(images, labels, k, s),
            DIGIT_MADE,
        )
    }
    makers.update(
        {name: (lambda a, k, s, name=name: family(name, k, s), PER_FAMILY) for name in BUILD}
    )
    if corpus:
        glyphs, limit = corpus_glyphs(mnist)
        print(f"  glyph corpus: {len(glyphs)} glyphs (digit distance above {limit:.3f})")
        makers["DejaVu glyph corpus"] = (lambda a, k, s: corpus_canvases(glyphs, k, s), corpus)
    for name, (make, n) in makers.items():
        pixels, _ = in_chunks(make, n)
        parts.append((pixels, np.full(len(pixels), NOT_A_DIGIT)))
        print(f"  {name}: {len(pixels)} read by the page")
    X = np.vstack([p for p, _ in parts]) / 255
    return X.astype(np.float32), np.concatenate([y for _, y in parts]).astype(int)


def threshold_for(canvases: list, detector: Detector) -> float:
    """The lowest threshold at which the page (hand rules + detector) doubts or refuses at most
    DOUBTED of canvases (real digits)."""
    readings = [read_canvas(c, None) for c in canvases]  # the hand rules alone
    ruled = np.array([bool(r.problem or r.doubt) for r in readings])
    pixels = np.array([r.pixels.ravel() for r, out in zip(readings, ruled, strict=True) if not out])
    return threshold_of(not_digit_probability(pixels, detector), int(ruled.sum()))


def threshold_of(scores: np.ndarray, ruled: int) -> float:
    """The threshold doubting at most DOUBTED of ruled + len(scores) real digits, ruled of them
    already doubted or refused by the hand rules; scores (n,): the rest's "not a digit" p."""
    scores = np.sort(scores)[::-1]
    room = int(DOUBTED * (ruled + len(scores))) - ruled  # digits the detector may still doubt
    return float(scores[max(room, 0)]) if room < len(scores) else 0.0


def train(X: np.ndarray, y: np.ndarray, rng, hidden: int = HIDDEN) -> Params:
    """The lab's network with 11 outputs, mini-batch SGD with momentum on (X, y)."""
    w1 = rng.standard_normal((784, hidden)) * np.sqrt(1 / 784)
    w2 = rng.standard_normal((hidden, NOT_A_DIGIT + 1)) * np.sqrt(1 / hidden)
    params = Params(w1, np.zeros(hidden), w2, np.zeros(NOT_A_DIGIT + 1)).astype(np.float32)
    velocity = params.zeros_like()
    Y = np.eye(NOT_A_DIGIT + 1, dtype=np.float32)[y]
    for p in range(PASSES):
        rate = RATE * 0.5 * (1 + np.cos(np.pi * p / PASSES))  # cosine decay
        for batch in np.array_split(rng.permutation(len(y)), len(y) // BATCH):
            Xb = shifted(X[batch], rng) if SHIFT else X[batch]
            grads = backward(params, Xb, Y[batch], forward(params, Xb))
            for v, g, w in zip(velocity.arrays(), grads.arrays(), params.arrays(), strict=True):
                v *= MOMENTUM
                v -= rate * g
                w += v
        print(f"  pass {p + 1}: train accuracy {np.mean(predict(params, X) == y):.2%}")
    return params


def shifted(X: np.ndarray, rng) -> np.ndarray:
    """Images X (n, 784) each moved by up to SHIFT pixels across and down at random."""
    n, pad = len(X), SHIFT
    padded = np.pad(X.reshape(n, 28, 28), ((0, 0), (pad, pad), (pad, pad)))
    dy, dx = rng.integers(0, 2 * pad + 1, (2, n))
    rows = dy[:, None, None] + np.arange(28)[None, :, None]  # (n, 28, 1)
    cols = dx[:, None, None] + np.arange(28)[None, None, :]  # (n, 1, 28)
    return padded[np.arange(n)[:, None, None], rows, cols].reshape(n, 784)


def predict(params: Params, X: np.ndarray) -> np.ndarray:
    return np.argmax(forward(params, X).logits, axis=1)


def averaged(nets: list[Params]) -> Params:
    """The networks' logits averaged, as one network: hidden units side by side, w2 / k."""
    return Params(
        np.hstack([p.w1 for p in nets]),  # (784, k * H)
        np.concatenate([p.b1 for p in nets]),
        np.vstack([p.w2 for p in nets]) / len(nets),  # (k * H, 11)
        np.mean([p.b2 for p in nets], axis=0),
    )


def main(out: Path, corpus: int = 0) -> None:
    start, rng = time.time(), np.random.default_rng(SEED)
    mnist = load_mnist()
    print("making the training set through the Draw page's path ...")
    X, y = training_set(mnist, rng, corpus)
    print(f"{len(y)} images ({np.mean(y == NOT_A_DIGIT):.1%} not a digit); training ...")
    nets = [train(X, y, rng) for _ in range(MEMBERS)]
    # Kept as float16 (half the file); the threshold is set on the weights as saved.
    params = Params(*(a.astype(np.float16).astype(np.float32) for a in averaged(nets).arrays()))
    digits = redrawn_digits(mnist.X_test[0::2][:THRESHOLD_DIGITS])
    threshold = threshold_for(digits, Detector(params, 1.0))
    np.savez_compressed(
        out,
        **{k: a.astype(np.float16) for k, a in zip(NAMES, params.arrays(), strict=True)},
        threshold=np.float32(threshold),
    )
    print(
        f"threshold {threshold:.4f}; wrote {out} ({out.stat().st_size / 1e6:.2f} MB) "
        f"in {time.time() - start:.0f} s"
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    main(Path(args[0]) if args else MLP_DETECTOR_FILE, int(args[1]) if len(args) > 1 else 0)
