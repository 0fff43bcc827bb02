"""How often the Draw page names a non-digit "not a digit", and doubts a real digit, by family.

Every drawing goes the page's way: a 280 x 280 RGBA canvas -> mlcore.digit_check.read_canvas
(mlcore.preprocess inside). Non-digits: the BUILD families of tests/nondigits.py (the only ones
the detector was tuned or trained on; here with another seed), the HELD_OUT ones (other fonts,
other shapes, symbols, words) and the HELD_OUT_NEW ones (Greek letters, faces, check marks,
pictograms, notes, stick figures; defined before the second detector was built) and the
HELD_OUT_3 ones (tests/nondigits_held_out_3.py: Cyrillic, trees, suns, ...; defined before the
fused score of bench/digit_likeness.py was chosen) and the HELD_OUT_4 ones
(tests/nondigits_held_out_4.py: keys, cups, cars, clocks, ...; defined before the glyph corpus
of bench/glyph_corpus.py was built) and the HELD_OUT_5 ones (tests/nondigits_held_out_5.py:
mathematical signs, cats, birds, hammers, ...; defined before the detector after the CNN).
Real digits: MNIST test digits thinned to their centre line and redrawn with a brush (even
indices: BUILD, used for the detector's threshold; odd: HELD_OUT), MNIST test digits as pixels
(odd), and digits typed in the held-out fonts. Detectors compared (a refused drawing -- empty,
tiny, a blot -- counts for each): the hand rules (separate pieces, many loops, far from the sample's
digits), the "not a digit" network alone (models/nondigit.npz, or DETECTOR.npz), what the page
shipped before its steadiness check (pieces, loops and the network; the page now, with the
default model's steadiness: bench/nondigit_consistency.py), all of them, the default model's
hidden layer's distance to real digits (Mahalanobis to the nearest class mean, its threshold
doubting 0.4% of BUILD real digits), and (LIKENESS given) pieces, loops and the network's
probability fused with the distance to the nearest real digits (bench/digit_likeness.py:
tried, not shipped). It ends with that check's time per drawing.
    MNIST_DIR=/work/shared/datasets/mnist python bench/nondigits.py [N_EACH N_DIGITS [DETECTOR
        [LIKENESS]]]
(DETECTOR "": models/nondigit.npz; LIKENESS: the file bench/digit_likeness.py writes.)
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digit_likeness import fused_score, load_likeness, nearest_distance  # bench/, beside this

from mlcore.data import SAMPLE_DIR, load_mnist
from mlcore.digit_check import (
    MLP_DETECTOR_FILE,
    load_detector,
    not_digit_probability,
    read_canvas,
    reference_digits,
)
from mlcore.functions import sigmoid
from mlcore.model import load_model
from tests.nondigits import BUILD, HELD_OUT, HELD_OUT_NEW, family, redrawn_digits, typed_digits
from tests.nondigits_held_out_3 import HELD_OUT_3
from tests.nondigits_held_out_4 import HELD_OUT_4
from tests.nondigits_held_out_5 import HELD_OUT_5
from tests.test_digit_check import canvas_of

FAR = "far from every one"  # the distance rule's sentence
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "default.npz"
HIDDEN_DOUBTED = 0.004  # of BUILD real digits, as the detector's threshold


class Hidden:
    """Mahalanobis distance of a model's hidden activations to the nearest digit class mean
    (one covariance shared by the classes), fitted on the bundled sample's training digits."""

    def __init__(self, model, X: np.ndarray, y: np.ndarray):
        self.model = model
        h = self.activations(X)
        self.means = np.array([h[y == c].mean(axis=0) for c in range(10)])  # (10, H)
        centred = h - self.means[y]
        cov = centred.T @ centred / len(h) + 1e-3 * np.eye(h.shape[1])
        self.precision = np.linalg.inv(cov)

    def activations(self, X: np.ndarray) -> np.ndarray:
        p = self.model.params
        x = self.model.scaling.apply(X.reshape(-1, 784), np.float64)
        return sigmoid(x @ p.w1.astype(np.float64) + p.b1)  # (n, H)

    def distance(self, X: np.ndarray) -> np.ndarray:
        h = self.activations(X)
        hp, mp = h @ self.precision, self.means @ self.precision
        d = (hp * h).sum(1)[:, None] - 2 * hp @ self.means.T + (mp * self.means).sum(1)
        return np.sqrt(np.maximum(d.min(axis=1), 0))


def read_all(canvases, references) -> dict:
    """Per canvas, through the page's path: refused, each hand rule's doubt, the pixels read."""
    readings = [read_canvas(c, None, references) for c in canvases]  # the hand rules
    doubts = [r.doubt or "" for r in readings]
    return {
        "refused": np.array([r.problem is not None for r in readings]),
        "shape": np.array([bool(t) and FAR not in t for t in doubts]),  # pieces or loops
        "far": np.array([FAR in t for t in doubts]),
        "pixels": np.array(
            [np.zeros(784) if r.pixels is None else r.pixels.ravel() for r in readings]
        ),
    }


def score(m: dict, detector, hidden, likeness) -> dict:
    """m with the detector's "not a digit" probability p, the hidden distance and (likeness
    given) whether the fused score of bench/digit_likeness.py doubts it."""
    p = not_digit_probability(m["pixels"], detector)
    fused = None
    if likeness is not None:
        nearest = nearest_distance(m["pixels"], likeness.references)
        fused = fused_score(p, nearest, likeness) > likeness.threshold
    return {**m, "p": p, "fused": fused, "hidden": hidden.distance(m["pixels"])}


def flags(m: dict, detector, hidden_threshold: float) -> dict:
    """Which drawings each candidate calls not a digit (a refused drawing counts for all)."""
    net, hid = m["p"] > detector.threshold, m["hidden"] > hidden_threshold
    return {
        "today's rules": m["refused"] | m["shape"] | m["far"],
        "network": m["refused"] | net,
        "page before: pieces, loops, network": m["refused"] | m["shape"] | net,
        "all rules + network": m["refused"] | m["shape"] | m["far"] | net,
        "hidden distance": m["refused"] | hid,
        **(
            {}
            if m["fused"] is None
            else {
                "tried: pieces, loops, network fused with nearest digits": m["refused"]
                | m["shape"]
                | m["fused"]
            }
        ),
    }


def sets(n_each: int, n_digits: int, mnist):
    """(split, kind, name, canvases) of every set the table reports, one at a time (a canvas
    is 0.3 MB)."""
    splits = (
        ("build", BUILD),
        ("held-out", HELD_OUT),
        ("held-out new", HELD_OUT_NEW),
        ("held-out 3", HELD_OUT_3),
        ("held-out 4", HELD_OUT_4),
        ("held-out 5", HELD_OUT_5),
    )
    for split, families in splits:
        for name in families:
            yield split, "non-digit", name, family(name, n_each)
    even, odd = mnist.X_test[0::2][:n_digits], mnist.X_test[1::2][:n_digits]
    yield "build", "digit", "MNIST test, redrawn (even)", redrawn_digits(even)
    yield "held-out", "digit", "MNIST test, redrawn (odd)", redrawn_digits(odd, seed=1)
    yield "held-out", "digit", "MNIST test as pixels (odd)", [canvas_of(x) for x in odd]
    yield "info", "digit", "digits typed in held-out fonts", typed_digits(n_each)


def row(label: str, flagged: dict) -> str:
    n = len(next(iter(flagged.values())))
    cells = " | ".join(f"{100 * np.mean(f):5.1f}" for f in flagged.values())
    return f"| {label} | {n} | {cells} |"


def table(read: list, detector, hidden, likeness=None) -> list:
    """Print the figures of read [(split, kind, name, read_all(...)), ...] as Markdown;
    -> read with the scores (score)."""
    measured = [(s, k, name, score(m, detector, hidden, likeness)) for s, k, name, m in read]
    build_digits = next(m for s, k, _, m in measured if s == "build" and k == "digit")
    kept = build_digits["hidden"][~build_digits["refused"]]
    hidden_threshold = float(np.quantile(kept, 1 - HIDDEN_DOUBTED))
    names = list(flags(build_digits, detector, hidden_threshold))
    print("% called not a digit (for real digits: % doubted)\n")
    print("| set | n | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    groups: dict = {}
    for split, kind, name, m in measured:
        f = flags(m, detector, hidden_threshold)
        print(row(f"{split}: {name}", f))
        group = groups.setdefault(f"{split.upper()} {kind}s", {k: [] for k in f})
        for k, v in f.items():
            group[k].append(v)
    for label, group in groups.items():
        print(row(f"**{label}, all**", {k: np.concatenate(v) for k, v in group.items()}))
    return measured


def curve(measured: list, doubted=(0.005, 0.009, 0.012, 0.015, 0.02, 0.03, 0.05)) -> None:
    """Print what the page before (pieces, loops, network) would name at other thresholds:
    each set so the page doubts a share of the BUILD real digits, as Markdown."""
    build = next(m for s, k, _, m in measured if s == "build" and k == "digit")
    ruled = build["refused"] | build["shape"]
    scores = np.sort(build["p"][~ruled])[::-1]
    groups: dict = {}
    for split, kind, _, m in measured:
        groups.setdefault(f"{split} {kind}s", []).append(m)
    print("\n% named at other thresholds (BUILD digits doubted: the threshold's target)\n")
    print("| BUILD digits doubted | threshold | " + " | ".join(groups) + " |")
    print("|---|---|" + "---|" * len(groups))
    for share in doubted:
        room = int(share * len(ruled)) - int(ruled.sum())
        t = float(scores[max(room, 0)]) if room < len(scores) else 0.0
        cells = [
            np.mean(np.concatenate([m["refused"] | m["shape"] | (m["p"] > t) for m in ms]))
            for ms in groups.values()
        ]
        print(f"| {share:.1%} | {t:.4f} | " + " | ".join(f"{100 * c:5.1f}" for c in cells) + " |")


def main(n_each: int, n_digits: int, detector: str = "", likeness: str = "") -> None:
    sample, mnist = load_mnist(SAMPLE_DIR), load_mnist()
    references = reference_digits(sample.X_train)
    hidden = Hidden(load_model(DEFAULT_MODEL), sample.X_train, sample.y_train)
    read = [(s, k, n, read_all(c, references)) for s, k, n, c in sets(n_each, n_digits, mnist)]
    loaded = load_detector(detector or MLP_DETECTOR_FILE)  # its figures: docs/NONDIGITS.md
    curve(table(read, loaded, hidden, load_likeness(likeness) if likeness else None))
    canvases = family(next(iter(HELD_OUT_3)), 50, seed=1) + redrawn_digits(mnist.X_test[:50])
    start = time.perf_counter()
    for c in canvases:
        read_canvas(c, loaded)
    each = (time.perf_counter() - start) / len(canvases)
    print(f"\nthe check before (read_canvas with the detector): {1000 * each:.1f} ms a drawing")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]), int(args[1]), *args[2:]) if len(args) > 1 else main(100, 3000)
