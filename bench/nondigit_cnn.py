"""The Draw page's convolutional "not a digit" detector: trained, measured, shipped.

The network (mlcore/conv.py): 5x5 convolution 1 -> F1 kernels, ReLU, 2x2 max pooling, 5x5
convolution -> F2, ReLU, pooling, a dense layer of HIDDEN ReLU units, 11 outputs (the eleventh
"not a digit"). Trained (bench/cnn_train.py: NumPy backward, SGD with momentum) on exactly the
data the page's previous network was trained on (bench/nondigit_detector.py's training_set:
MNIST, 30,000 redrawn training digits, BUILD non-digits, non-digits made of digits; its seed),
cached in
TRAIN (an .npz; made if missing, ~10-20 min on 2 busy cores). Then every set of
bench/nondigits.py (read through the page's path: bench/nondigit_consistency.py's readings,
cached in READ) is scored by each design, its threshold set so that the page (pieces, loops and
the design) doubts 0.9% of the BUILD redrawn digits:
  (a) the page before: the lab-kind network's (models/nondigit.npz) log-odds of "not a digit"
      + the default model's unsteadiness;
  (b) the CNN's log-odds alone, and with the unsteadiness added (in place of the network);
  (c) both log-odds averaged, + the unsteadiness.
`build` prints BUILD rows only (designs are compared there); `all` prints every set, the
held-out ones included, by family, and the time of one check per drawing.
    MNIST_DIR=/work/shared/datasets/mnist OPENBLAS_NUM_THREADS=1 nice -n 19 \
        python bench/nondigit_cnn.py train CNN.npz [TRAIN] [SEED] [F1,F2]   (SEED: the network's
        own seed, its starting weights and order; the data's is bench/nondigit_detector.py's)
    ... python bench/nondigit_cnn.py stack ENSEMBLE.npz CNN1.npz CNN2.npz ...   (logits averaged)
    ... python bench/nondigit_cnn.py build|all CNN.npz READ
    ... python bench/nondigit_cnn.py ship CNN.npz   (-> models/nondigit_cnn.npz, its threshold)
    ... python bench/nondigit_cnn.py time models/nondigit_cnn.npz   (the check's time)
Shipped 2026-12-08: (b), the CNN alone (chosen on BUILD kinds; held-out sets scored once after);
later that day three of them averaged (seeds 26, 1, 2; `stack`), chosen the same way.
Times then, 2 busy cores: the training set ~7 min of CPU, training 717-785 s a network (8
passes, 89-98 s a pass), build or all ~10-60 s once READ is cached (READ itself ~9 min).
Figures: docs/NONDIGITS.md.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cnn_train  # bench/, beside this
from nondigit_consistency import MAX_UNSTEADY as CONSISTENCY_MAX_UNSTEADY
from nondigit_consistency import cells, readings
from nondigit_detector import SEED, THRESHOLD_DIGITS, threshold_for, training_set
from nondigits import DEFAULT_MODEL
from steadiness import MAX_UNSTEADY, read_steadily, unsteady_score

from mlcore.conv import CONV_NAMES, ConvParams, conv_logits
from mlcore.data import load_mnist
from mlcore.digit_check import (
    DETECTOR_FILE,
    MLP_DETECTOR_FILE,
    NOT_A_DIGIT,
    Detector,
    load_detector,
    not_digit_log_odds,
    read_canvas,
)
from mlcore.model import load_model
from mlcore.network import forward
from tests.nondigits import family, redrawn_digits
from tests.nondigits_held_out_3 import HELD_OUT_3

F1, F2, HIDDEN, PASSES = 8, 16, 64, 8
DOUBTED = 0.009  # of the BUILD redrawn digits the page may doubt or refuse, as today


def cached_training_set(path: str) -> tuple[np.ndarray, np.ndarray]:
    """bench/nondigit_detector.py's training set (its seed): X (n, 784) float32 in [0, 1], y
    (n,); read from path (an .npz) if there, else made and saved there."""
    if path and Path(path).exists():
        with np.load(path) as f:
            return f["X"].astype(np.float32), f["y"].astype(int)
    X, y = training_set(load_mnist(), np.random.default_rng(SEED))
    X = X.astype(np.float16)  # as the cache keeps it: a first run trains what later ones do
    if path:
        np.savez(path, X=X, y=y.astype(np.int8))
    return X.astype(np.float32), y


def save(path: str, params: ConvParams, threshold: float = 1.0) -> None:
    """params as float16 arrays named CONV_NAMES in path (.npz), and threshold."""
    halves = {k: a.astype(np.float16) for k, a in zip(CONV_NAMES, params, strict=True)}
    np.savez_compressed(path, **halves, threshold=np.float32(threshold))


def ship(path: str) -> None:
    """The CNN at path, with the threshold at which the page (hand rules and the CNN's
    probability) doubts or refuses 0.9% of the BUILD redrawn digits, as models/nondigit_cnn.npz."""
    cnn = load(path)
    digits = redrawn_digits(load_mnist().X_test[0::2][:THRESHOLD_DIGITS])
    threshold = threshold_for(digits, Detector(cnn, 1.0))
    save(str(DETECTOR_FILE), cnn, threshold)
    print(f"threshold {threshold:.4f}; wrote {DETECTOR_FILE}")


def load(path: str) -> ConvParams:
    """The network (or ensemble) saved at path by save, as float32."""
    return load_detector(path).params


def cnn_odds(params: ConvParams, pixels: np.ndarray, chunk: int = 1000) -> np.ndarray:
    """The CNN's log-odds of "not a digit" for pixels (n, 784) in 0-255 -> (n,)."""
    X = pixels.reshape(-1, 784).astype(np.float32) / 255
    return np.concatenate(
        [not_digit_log_odds(conv_logits(params, X[a : a + chunk])) for a in range(0, len(X), chunk)]
    )


def scores(m: dict, cnn: ConvParams, detector, model) -> dict:
    """{design: (n,) score, higher: less like a digit} for one set's readings m."""
    net = not_digit_log_odds(forward(detector.params, m["pixels"].astype(np.float32) / 255).logits)
    steadiness = unsteady_score(m["pixels"], detector, model) - net  # share of answers changed
    c = cnn_odds(cnn, m["pixels"])
    return {
        "(a) page before": net + steadiness,
        "(b) CNN alone": c,
        "(b) CNN + steadiness": c + steadiness,
        "(c) (net + CNN)/2 + steadiness": (net + c) / 2 + steadiness,
    }


def thresholds(build_digits: dict) -> dict:
    """{design: threshold} at which the page doubts or refuses DOUBTED of the BUILD digits."""
    ruled, n = build_digits["ruled"], len(build_digits["ruled"])
    room = int(DOUBTED * n) - int(ruled.sum())
    return {k: float(np.sort(s[~ruled])[::-1][room]) for k, s in build_digits["s"].items()}


def report(read: list, cnn: ConvParams, splits: tuple) -> None:
    """Print each design's share named (digits: doubted) of each family of splits, then of
    each split's kind pooled."""
    detector, model = load_detector(MLP_DETECTOR_FILE), load_model(DEFAULT_MODEL)
    scored = []
    for split, kind, name, m in read:
        ruled = m["refused"] | m["shape"]
        scored.append((split, kind, name, {"ruled": ruled, "s": scores(m, cnn, detector, model)}))
    build = next(m for s, k, _, m in scored if s == "build" and k == "digit")
    limits = thresholds(build)
    print("thresholds: " + ", ".join(f"{k} {v:.4f}" for k, v in limits.items()))
    print(f"(bench/steadiness.py's MAX_UNSTEADY, for (b) CNN + steadiness: {MAX_UNSTEADY})\n")
    print("| set | n | " + " | ".join(limits) + " |\n|---|---|" + "---|" * len(limits))
    groups: dict = {}
    for split, kind, name, m in scored:
        if split not in splits:
            continue
        named = [m["ruled"] | (m["s"][k] > t) for k, t in limits.items()]
        print(f"| {split}: {name} | {len(m['ruled'])} | " + cells(named))
        groups.setdefault(f"{split.upper()} {kind}s", []).append(named)
    for label, rows in groups.items():
        pooled = [np.concatenate([r[i] for r in rows]) for i in range(len(limits))]
        print(f"| **{label}, all** | {len(pooled[0])} | " + cells(pooled))


def timing(cnn: ConvParams) -> None:
    """Print the time of the CNN's forward pass on one 28x28 image, and of the page's whole
    check (read_canvas) per drawing: (a) the network and steadiness, (b) the CNN alone."""
    mnist = load_mnist()
    start, repeats = time.perf_counter(), 200
    for _ in range(repeats):
        cnn_odds(cnn, mnist.X_test[:1].astype(np.float32))
    print(f"\nthe CNN on one drawing: {1000 * (time.perf_counter() - start) / repeats:.2f} ms")
    canvases = family(next(iter(HELD_OUT_3)), 50, seed=1) + redrawn_digits(mnist.X_test[:50])
    pages = {
        "(a) page before": (load_detector(MLP_DETECTOR_FILE), load_model(DEFAULT_MODEL)),
        "(b) CNN alone": (Detector(cnn, 1.0), None),
    }
    for label, (detector, model) in pages.items():
        start = time.perf_counter()
        for c in canvases:
            if model is None:
                read_canvas(c, detector)
            else:  # the page before: the network of the lab's kind and the steadiness
                read_steadily(c, detector, model, CONSISTENCY_MAX_UNSTEADY)
        each = (time.perf_counter() - start) / len(canvases)
        print(f"the page's check, {label}: {1000 * each:.1f} ms a drawing (read_canvas)")


def stack(out: str, members: list[str]) -> None:
    """The networks saved at members (same sizes) as one ensemble in out: each array with a
    leading axis of members (mlcore.conv.conv_logits averages their logits). Exact: float16 in,
    float16 out."""
    nets = [load(m) for m in members]
    save(out, ConvParams(*(np.stack(arrays) for arrays in zip(*nets, strict=True))))
    print(f"wrote {out} ({Path(out).stat().st_size / 1e3:.0f} kB), {len(nets)} members")


def train(out: str, cache: str, seed: str, kernels: str) -> None:
    """Train one network on the cached training set, its own seed (default SEED) and kernel
    counts "F1,F2" (default F1, F2), and save it in out."""
    start = time.time()
    X, y = cached_training_set(cache)
    print(f"{len(y)} images ({np.mean(y == NOT_A_DIGIT):.1%} not a digit); training ...")
    rng = np.random.default_rng(int(seed) if seed else SEED)  # the data's seed is SEED
    f1, f2 = map(int, kernels.split(",")) if kernels else (F1, F2)
    params, each = cnn_train.train(X, y, rng, (f1, f2, HIDDEN), PASSES)
    save(out, params)
    size = Path(out).stat().st_size / 1e3
    print(f"wrote {out} ({size:.0f} kB) in {time.time() - start:.0f} s ({each:.0f} s a pass)")


def main(mode: str, out: str, cache: str = "", seed: str = "", *more: str) -> None:
    if mode == "stack":
        stack(out, [m for m in (cache, seed, *more) if m])
        return
    if mode == "train":
        train(out, cache, seed, "".join(more))
        return
    if mode in ("ship", "time"):
        ship(out) if mode == "ship" else timing(load(out))
        return
    cnn = load(out)
    splits = ("build",) if mode == "build" else ("build", "held-out", "held-out new")
    splits += () if mode == "build" else ("held-out 3", "held-out 4", "held-out 5", "info")
    report(readings(100, 3000, cache), cnn, splits)
    if mode == "all":
        timing(cnn)


if __name__ == "__main__":
    main(*sys.argv[1:])
