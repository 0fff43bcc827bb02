"""Does a drawing look like one digit? Measurable signs that it does not.

A softmax always names one of the ten digits, even for a scribble; these checks say when the
drawing itself is unlike a digit: several separate pieces, strokes crossing into many closed
loops, or three small convolutional networks with an eleventh output, "not a digit", their
logits averaged, trained on MNIST and generated letters, shapes and scribbles
(models/nondigit_cnn.npz, bench/nondigit_cnn.py). It is separate from the model a student
picks, so it answers alike for the default model and for any model trained on the Train page.
Kept for comparison: the page's previous detector (a network of the lab's kind,
models/nondigit.npz; the benches load it), and a fourth rule, a shape far from every one of the
bundled sample's digits (bench/nondigits.py has the figures). The steadiness check the page
used until 2026-12-08 is bench/steadiness.py's.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import NamedTuple

import numpy as np

from mlcore.conv import CONV_NAMES, ConvParams, conv_logits
from mlcore.functions import softmax
from mlcore.network import Params, forward
from mlcore.preprocess import SIZE, _crop, _resize, digit_problem, ink_from_rgba, to_mnist

PIECE_INK = 0.1  # of full ink: a 28x28 pixel above it belongs to a piece
# A second piece with this share of the ink: separate pieces. 0.15 doubted 0.6% of MNIST test
# digits redrawn with a brush (a 5's loose bar), 0.35 doubts 0.2%; the network has the rest.
SECOND_PIECE = 0.35
PIECE_SHARE, MANY_PIECES = 0.15, 3  # or this many pieces of this share each: none of those 3,000
# Pieces minus closed loops (the Euler number), on the crop scaled to 28 px: an 8 has -1,
# MNIST's test digits reach -2 in 0.4% and -3 in 0.02% of cases; a thin scribble crossing
# itself goes lower.
MIN_EULER = -2
DOUBT = "That does not look like one digit: "  # every doubt starts so
COMPONENTS = 128  # main directions of the reference digits that bound the nearest-digit search
# 1 - cosine similarity to the nearest reference digit: the 99.5th percentile of the sample's
# 2,000 test digits is 0.322; MNIST's 10,000 test digits exceed 0.32 in 0.2% of cases.
MAX_DISTANCE = 0.32


def piece_shares(pixels: np.ndarray) -> np.ndarray:
    """Share of the ink in each 8-connected piece of pixels (28, 28), largest first -> (k,)."""
    mask = pixels > PIECE_INK * 255
    labels = np.zeros(mask.shape, np.int32)
    for n, start in enumerate(zip(*np.nonzero(mask), strict=True), start=1):
        if not labels[start]:
            _fill(mask, labels, start, n)
    sums = np.bincount(labels.ravel(), weights=pixels.ravel())[1:]
    sums = sums[sums > 0]
    return np.sort(sums)[::-1] / sums.sum() if sums.size else sums


def _fill(mask: np.ndarray, labels: np.ndarray, start: tuple, n: int) -> None:
    """Label n on the 8-connected piece of mask (h, w) that holds start (breadth first)."""
    h, w = mask.shape
    labels[start] = n
    queue = deque([start])
    while queue:
        r, c = queue.popleft()
        for rr in range(max(r - 1, 0), min(r + 2, h)):
            for cc in range(max(c - 1, 0), min(c + 2, w)):
                if mask[rr, cc] and not labels[rr, cc]:
                    labels[rr, cc] = n
                    queue.append((rr, cc))


def euler_number(mask: np.ndarray) -> int:
    """Pieces minus holes of mask (h, w) bool, pieces 8-connected (Gray's bit-quads, 1971)."""
    m = np.pad(mask, 1).astype(np.int8)
    a, b, c, d = m[:-1, :-1], m[:-1, 1:], m[1:, :-1], m[1:, 1:]  # each 2x2 window's corners
    total = a + b + c + d
    diagonal = (total == 2) & (a == d)  # two pixels touching only at a corner
    return int(((total == 1).sum() - (total == 3).sum() - 2 * diagonal.sum()) // 4)


class References(NamedTuple):
    """Real digits for digit_distance: m unit vectors and their first k principal coordinates."""

    digits: np.ndarray  # (m, 784) float32, each of length 1
    basis: np.ndarray  # (k, 784) float32, orthonormal: the digits' main directions
    coords: np.ndarray  # (m, k) digits @ basis.T
    residual: np.ndarray  # (m,) each digit's length outside the basis


def _unit(X: np.ndarray) -> np.ndarray:
    """Rows of X (n, 784) as float32 vectors of length 1 (a blank row stays 0)."""
    X = X.astype(np.float32)
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-6)


def reference_digits(X: np.ndarray, k: int = COMPONENTS) -> References:
    """Real digits X (m, 784) in 0-255 -> References (their k main directions by PCA)."""
    digits = _unit(X)
    # Directions from every 5th digit bound the search as well, 5x quicker; it stays exact
    # whatever they are. The web server's one BLAS thread: eigh took 3.9 s with two on a busy
    # machine, 0.15 s with one.
    _, vectors = np.linalg.eigh(digits[::5].T @ digits[::5])  # (784, 784), ascending
    basis = np.ascontiguousarray(vectors[:, ::-1][:, :k].T, np.float32)
    coords = digits @ basis.T  # (m, 784) @ (784, k) -> (m, k)
    residual = np.sqrt(np.maximum(1 - (coords**2).sum(axis=1), 0))
    return References(digits, basis, coords, residual)


def digit_distance(pixels: np.ndarray, references: References) -> np.ndarray:
    """1 - cosine similarity of each image (n, 784) to its nearest reference digit -> (n,).

    Exact: the k main directions only bound which digits can be the nearest; those few are
    then compared in full (~20 of 10,000 for a typical digit, measured).
    """
    return np.array([1 - _best_cosine(q, references) for q in _unit(pixels.reshape(-1, 784))])


def _best_cosine(q: np.ndarray, refs: References) -> float:
    """The largest digits @ q for a unit vector q (784,), through the bound of the basis."""
    c = refs.basis @ q  # (k,)
    approx = refs.coords @ c  # (m,): the dot products within the basis
    # The rest of each dot product is at most the two residual lengths' product (Cauchy-Schwarz).
    spread = refs.residual * np.sqrt(max(1 - float(c @ c), 0)) + 1e-4  # + float32 rounding
    candidates = np.flatnonzero(approx + spread >= (approx - spread).max())
    return float((refs.digits[candidates] @ q).max())


# Why the network doubts a drawing.
UNLIKE = (
    "a small network trained to tell digits from letters, shapes and scribbles takes it for "
    "none of the ten."
)


def doubt(ink: np.ndarray, pixels: np.ndarray, unlike: bool, distance: float = 0.0) -> str | None:
    """Why the drawing does not look like one digit, as a sentence; None if it may be one.

    ink (H, W) in [0, 1] as drawn; pixels (28, 28) its MNIST-like image; unlike: whether the
    network doubts it; distance from digit_distance (0: that rule is not applied).
    """
    shares = piece_shares(pixels)
    pieces = int((shares >= PIECE_SHARE).sum())
    if (len(shares) > 1 and shares[1] >= SECOND_PIECE) or pieces >= MANY_PIECES:
        return DOUBT + f"it is in {pieces} separate pieces. Draw one digit, its strokes joined."
    crop = _crop(ink)
    if euler_number(_resize(crop, SIZE / max(crop.shape)) > 0.5) < MIN_EULER:
        return DOUBT + "its strokes cross into many closed loops, like a scribble."
    if unlike:
        return DOUBT + UNLIKE
    if distance > MAX_DISTANCE:
        return DOUBT + "its shape is far from every one of 10,000 real MNIST digits."
    return None


MODELS = Path(__file__).resolve().parent.parent / "models"
DETECTOR_FILE = MODELS / "nondigit_cnn.npz"  # the page's (bench/nondigit_cnn.py)
MLP_DETECTOR_FILE = MODELS / "nondigit.npz"  # the page's before it (bench/nondigit_detector.py)
NOT_A_DIGIT = 10  # the detector's eleventh output
MLP_NAMES = ("w1", "b1", "w2", "b2")


class Detector(NamedTuple):
    """A small network whose eleventh output is "not a digit".

    Separate from the model on the page, so it reads the same with the default model or one a
    student trained; its inputs are the page's 28x28 pixels / 255. The page's: three
    convolutional networks (mlcore/conv.py; an ensemble, logits averaged) trained by
    bench/nondigit_cnn.py on MNIST, redrawn digits and generated non-digits. The one before
    the convolutional ones: three networks of the lab's kind (100 hidden units, logits
    averaged, stored as one of 300), bench/nondigit_detector.py.
    """

    params: ConvParams | Params  # saved as float16
    threshold: float  # its "not a digit" probability above it: doubted


def load_detector(path: str | Path = DETECTOR_FILE) -> Detector:
    """The Detector saved at path (.npz: CONV_NAMES or w1, b1, w2, b2, and threshold; no
    pickles), as float32."""
    with np.load(path, allow_pickle=False) as f:
        kind, names = (ConvParams, CONV_NAMES) if "k1" in f.files else (Params, MLP_NAMES)
        params = kind(*(f[k].astype(np.float32) for k in names))
        threshold = float(f["threshold"])
    outputs = detector_logits(params, np.zeros((1, 784), np.float32)).shape[1]
    if outputs != NOT_A_DIGIT + 1:
        raise ValueError(f"{path}: not a digit detector ({outputs} outputs, not 11)")
    for a in params if isinstance(params, ConvParams) else params.arrays():
        a.flags.writeable = False  # one detector is shared by every session of a server
    return Detector(params, threshold)


def detector_logits(params: ConvParams | Params, X: np.ndarray) -> np.ndarray:
    """A detector's logits for images X (n, 784) in [0, 1] -> (n, 11)."""
    if isinstance(params, ConvParams):
        return conv_logits(params, X)
    return forward(params, X).logits


def not_digit_log_odds(logits: np.ndarray) -> np.ndarray:
    """A detector's logits (n, 11) -> log(p / (1 - p)) of "not a digit" (n,): its logit less the
    log-sum-exp of the ten digits'."""
    return logits[:, NOT_A_DIGIT] - np.logaddexp.reduce(logits[:, :NOT_A_DIGIT], axis=1)


def not_digit_probability(pixels: np.ndarray, detector: Detector) -> np.ndarray:
    """The detector's "not a digit" probability for images (n, 784) or (28, 28) in 0-255 -> (n,)."""
    X = pixels.reshape(-1, 784).astype(np.float32) / 255
    return softmax(detector_logits(detector.params, X))[:, NOT_A_DIGIT]


class Reading(NamedTuple):
    """What the Draw page reads from a canvas."""

    pixels: np.ndarray | None  # (28, 28) float32 0-255: what the network sees; None: nothing
    problem: str | None  # why there is nothing to read (empty, too small, a blot)
    doubt: str | None  # why what is there does not look like one digit


def read_canvas(
    rgba: np.ndarray,
    detector: Detector | None,
    references: References | None = None,
) -> Reading:
    """Canvas RGBA (H, W, 4) -> Reading; detector from load_detector (None: hand rules only),
    whose rule is its "not a digit" probability > detector.threshold.
    references (from reference_digits) add the nearest-real-digit rule; the Draw page leaves
    it out: beside the detector it doubted 0.8% more real digits (bench/nondigits.py).
    """
    problem = digit_problem(rgba)
    if problem is not None:
        return Reading(None, problem, None)
    ink = ink_from_rgba(rgba)
    pixels = to_mnist(ink)
    unlike = detector is not None and _network_doubts(pixels, detector)
    distance = 0.0 if references is None else float(digit_distance(pixels, references)[0])
    return Reading(pixels, None, doubt(ink, pixels, unlike, distance))


def _network_doubts(pixels: np.ndarray, detector: Detector) -> bool:
    """Whether the detector takes pixels (28, 28) for none of the ten digits."""
    return bool(not_digit_probability(pixels, detector)[0] > detector.threshold)
