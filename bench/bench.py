"""Speed of mlcore against the floor (two GEMMs), the lab's code and PyTorch, in one run.

    MNIST_DIR=../shared/datasets/mnist python bench/bench.py [--rounds 5] [--no-tta]
    ... python bench/bench.py --only augment-tta   # the default model's recipe, with/without

Contenders are interleaved (A B A B ...) and each ratio is the median of the pairwise
ratios, so a noisy machine slows both sides of a pair alike. PyTorch parts run only when
torch is installed (pip install torch==2.13.0; it is not in requirements.txt).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mlcore import lab_reference as lab
from mlcore.augment import augment_batch
from mlcore.data import load_mnist
from mlcore.digit_check import load_detector, read_canvas
from mlcore.functions import one_hot
from mlcore.lessons import PRESET_WORDS, PRESETS
from mlcore.model import load_model
from mlcore.network import accuracy, init_params
from mlcore.optim import SGD, FoldedStep
from mlcore.scaling import fit_scaling
from mlcore.train import TrainConfig, learning_rate_at, new_state, train

try:
    import torch
    import torch_reference as tref
except ImportError:
    torch = None

ROOT = Path(__file__).resolve().parent.parent
FAST = PRESET_WORDS["fastest"]
STRETCH = PRESET_WORDS["best"]
ELASTIC = PRESET_WORDS["elastic"]


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def interleave(contenders: dict, rounds: int) -> dict[str, list[float]]:
    """Run each contender once per round, in turn; return their times."""
    times = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            times[name].append(timed(fn))
    return times


def ratio(times, a: str, b: str) -> float:
    """Median over rounds of time(a) / time(b) measured side by side."""
    return statistics.median(x / y for x, y in zip(times[a], times[b], strict=True))


def show(title: str, times: dict[str, list[float]], ratios: list[tuple[str, str]]) -> None:
    print(f"\n## {title}")
    for name, t in times.items():
        print(f"  {name:<34} median {statistics.median(t) * 1000:9.1f} ms  (of {len(t)})")
    for a, b in ratios:
        print(f"  {a} / {b}: {ratio(times, a, b):.2f}x")


def full_batch(data, rounds: int) -> None:
    """1-4: one full-batch step on all 60,000 images, H=200."""
    scaling = fit_scaling("standard", data.X_train)
    X, y = scaling.apply(data.X_train), data.y_train.astype(np.intp)
    params = init_params(np.random.default_rng(0), 200)
    sgd, step = SGD.like(params), FoldedStep(params, len(X))
    h, dz, dw = (
        np.empty((len(X), 200), np.float32),
        np.ones((len(X), 200), np.float32),
        params.w1.copy(),
    )
    raw = data.X_train.astype(np.float64)
    Y = one_hot(data.y_train, dtype=np.float64)
    rng = np.random.default_rng(712)  # the lab draws from np.random; the values do not matter here
    lab_w = (rng.standard_normal((785, 200)) / 28.0, rng.standard_normal((201, 10)) / 14.2)

    def floor():
        np.matmul(X, params.w1, out=h)
        np.matmul(X.T, dz, out=dw)

    def ours():
        step(params, X, y, 0.01)  # as train() steps
        step.update(sgd, params, 0.01, 0.0)

    def lab_step():
        lab.step(raw, Y, *lab_w, 0.01)

    contenders = {"floor (X@w1 + X.T@dZ)": floor, "mlcore step": ours, "lab's step": lab_step}
    pairs = [("mlcore step", "floor (X@w1 + X.T@dZ)"), ("lab's step", "mlcore step")]
    if torch is not None:
        net = tref.TorchNet(params)
        Xt, yt = tref.tensors(X, data.y_train.astype(np.int64))
        contenders["pytorch step"] = lambda: net.step(Xt, yt, 0.01)
        pairs += [("mlcore step", "pytorch step"), ("pytorch step", "floor (X@w1 + X.T@dZ)")]
    for fn in contenders.values():  # warm up
        fn()
    show(
        "Full-batch step, 60,000 x 784, H=200, float32 (lab: float64)",
        interleave(contenders, rounds),
        pairs,
    )


def mini_batch_epoch(data, rounds: int) -> None:
    """5: one shuffled pass in batches of 128, H=200, momentum 0.9, test set twice."""
    config = TrainConfig(hidden_size=200, batch_size=128, iterations=1, momentum=0.9)
    scaling = fit_scaling(config.scale, data.X_train)
    X, Xt = scaling.apply(data.X_train), scaling.apply(data.X_test)

    def ours():
        # The plain epoch: the live diagnostics and a first pass's early reports are the
        # dashboard's, measured on their own (README: diagnostics cost).
        state = new_state(config)
        reports = train(
            config, state, X, data.y_train, Xt, data.y_test, diagnostics=False, early_reports=False
        )
        for _ in reports:
            pass

    contenders = {"mlcore epoch": ours}
    pairs = []
    if torch is not None:
        tX, ty, tXt, tyt = tref.tensors(
            X, data.y_train.astype(np.int64), Xt, data.y_test.astype(np.int64)
        )
        gen = torch.Generator().manual_seed(0)

        def theirs():
            net = tref.TorchNet(new_state(config).params)
            tref.epoch(net, tX, ty, 128, lambda f: learning_rate_at(config, f), gen, 0.9)
            net.accuracy(tXt, tyt), net.accuracy(tXt, tyt)  # as often as train() tests

        contenders["pytorch epoch"] = theirs
        pairs = [("mlcore epoch", "pytorch epoch")]
    ours()
    show("Mini-batch epoch, batch 128, H=200, momentum 0.9", interleave(contenders, rounds), pairs)


def time_to_accuracy(data, preset: str, targets=(0.97, 0.98)) -> None:
    """6: wall seconds until the test accuracy first reaches each target, same recipe both."""
    config = PRESETS[preset]
    scaling = fit_scaling(config.scale, data.X_train)
    X, Xt = scaling.apply(data.X_train), scaling.apply(data.X_test)
    print(f"\n## Time to accuracy: preset {preset!r}: {config}")
    state = new_state(config)
    first = _first_reach(
        (
            (p.elapsed, p.test_accuracy)
            for p in train(config, state, X, data.y_train, Xt, data.y_test)
        ),
        targets,
    )
    print(
        f"  mlcore:  {_fmt(first)}; final {state.history[-1].test_accuracy:.2%} "
        f"after {state.history[-1].elapsed:.1f} s"
    )
    if torch is None:
        return
    theirs = _first_reach(_torch_run(config, X, data, Xt), targets)
    print(f"  pytorch: {_fmt(theirs)}")
    for target in targets:
        if first.get(target) and theirs.get(target):
            print(f"  to {target:.0%}: mlcore / pytorch = {first[target] / theirs[target]:.2f}x")


def _torch_run(config: TrainConfig, X, data, Xt):
    """The same recipe in PyTorch; yields (seconds, test accuracy) twice per pass like train()."""
    tX, ty, tXt, tyt = tref.tensors(
        X, data.y_train.astype(np.int64), Xt, data.y_test.astype(np.int64)
    )
    net = tref.TorchNet(new_state(config).params)
    gen = torch.Generator().manual_seed(config.seed)
    n_batches = -(-len(tX) // config.batch_size)
    start = time.perf_counter()
    for it in range(config.iterations):
        order = torch.randperm(len(tX), generator=gen)
        for i in range(n_batches):
            idx = order[i * config.batch_size : (i + 1) * config.batch_size]
            lr = learning_rate_at(config, (it + i / n_batches) / config.iterations)
            net.step(tX[idx], ty[idx], lr, config.momentum)
            if i + 1 in (n_batches // 2, n_batches):
                yield time.perf_counter() - start, net.accuracy(tXt, tyt)


def _labels(y: np.ndarray) -> np.ndarray:
    return y.astype(np.int64)


def _first_reach(points, targets) -> dict[float, float | None]:
    first = dict.fromkeys(targets)
    for seconds, acc in points:
        for target in targets:
            if acc is not None and acc >= target and first[target] is None:
                first[target] = seconds
    return first


def _fmt(first) -> str:
    return ", ".join(
        f"{t:.1%} after {s:.1f} s" if s is not None else f"{t:.1%} never" for t, s in first.items()
    )


def augment_epoch(data, rounds: int) -> None:
    """8: epoch cost with augmentation: batch 64, H=200, momentum 0.9, standardized inputs.

    Within every batch, side by side: train()'s gather and step, and augment_batch on the
    same 64 rows for each kind, so a busy machine slows all of them alike. An epoch with
    augmentation costs (gather + augment + step) / (gather + step) of one without. `rounds`
    epochs; then whole epochs with and without, interleaved (noisier), as a cross-check.
    """
    config = TrainConfig(hidden_size=200, batch_size=64, iterations=1, momentum=0.9)
    scaling = fit_scaling(config.scale, data.X_train)
    X, y = scaling.apply(data.X_train), data.y_train.astype(np.intp)
    background = float(scaling.apply(np.zeros((1, 1)))[0, 0])
    state = new_state(config)
    folded = FoldedStep(state.params, config.batch_size)
    xb = np.empty((config.batch_size, 784), np.float32)
    kinds = ("affine", "elastic")
    spent = dict.fromkeys(("gather + step", *kinds), 0.0)

    def step(Xb, yb):
        folded(state.params, Xb, yb, 0.01)
        folded.update(state.optimizer, state.params, 0.01, config.momentum)

    def epoch(kind: str | None):  # kind None: measure each part; else one plain epoch
        order = state.rng.permutation(len(X))
        for start in range(0, len(X), config.batch_size):
            idx = order[start : start + config.batch_size]
            t0 = time.perf_counter()
            Xb = np.take(X, idx, axis=0, out=xb[: len(idx)])
            if kind not in (None, "none"):
                Xb = augment_batch(Xb, state.rng, kind, background)
            step(Xb, y[idx])
            t1 = time.perf_counter()
            if kind is None:
                spent["gather + step"] += t1 - t0
                for k in kinds:
                    t = time.perf_counter()
                    augment_batch(Xb, state.rng, k, background)
                    spent[k] += time.perf_counter() - t

    epoch(None)  # warm up
    spent.update(dict.fromkeys(spent, 0.0))
    for _ in range(rounds):
        epoch(None)
    print(f"\n## Augmentation, per batch of 64 side by side ({rounds} epochs)")
    for k in kinds:
        cost = (spent["gather + step"] + spent[k]) / spent["gather + step"]
        print(f"  epoch with {k} / without: {cost:.2f}x")
    whole = {kind: (lambda k=kind: epoch(k)) for kind in ("none", *kinds)}
    show(
        "Augmentation, whole epochs interleaved",
        interleave(whole, rounds),
        [(k, "none") for k in kinds],
    )


def augment_time_to_accuracy(data, preset: str = ELASTIC) -> None:
    """9: the default model's recipe with and without augmentation, reports interleaved.

    The two train() generators take turns (one report each), so both see the same load;
    a generator's elapsed counts only its own steps. Prints each pass's test accuracy, the
    seconds to reach the targets, and, at the end, accuracy on elastically distorted test
    digits (one fixed draw, the same for both models).
    """
    config = PRESETS[preset]
    scaling = fit_scaling(config.scale, data.X_train)
    X, Xt = scaling.apply(data.X_train), scaling.apply(data.X_test)
    bg = scaling.background
    configs = {"with": config, "without": replace(config, augment="none")}
    states = {k: new_state(c) for k, c in configs.items()}
    runs = {
        k: train(c, states[k], X, data.y_train, Xt, data.y_test, background=bg, diagnostics=False)
        for k, c in configs.items()
    }
    print(f"\n## Time to accuracy with and without augmentation: {config}")
    for pair in zip(*runs.values(), strict=True):
        for k, p in zip(runs, pair, strict=True):
            if p.iteration % 1 == 0 and p.test_accuracy is not None:
                acc, t = p.test_accuracy, p.elapsed
                print(f"  {k:8} pass {p.iteration:3.0f}  test {acc:.2%}  {t:7.1f} s")
    targets = (0.98, 0.984, 0.988, 0.99)
    distorted = augment_batch(Xt, np.random.default_rng(0), "elastic", bg)
    for k, st in states.items():
        points = [(p.elapsed, p.test_accuracy) for p in st.history]
        last = st.history[-1]
        on_distorted = accuracy(st.params, distorted, data.y_test)
        print(
            f"  {k}: {_fmt(_first_reach(points, targets))}; final {last.test_accuracy:.2%} "
            f"after {last.elapsed:.1f} s; on elastically distorted test digits {on_distorted:.2%}"
        )


def draw_and_load(rounds: int) -> None:
    """7: one canvas through the Draw page's path (read_canvas: preprocessing and "does it look
    like one digit") and the default model; loading full MNIST."""
    model = load_model(ROOT / "models" / "default.npz")
    detector = load_detector()
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[40:240, 125:155, :3] = 255  # a "1"

    def predict():
        model.predict_proba(read_canvas(rgba, detector).pixels.ravel())

    predict()
    times = interleave({"draw: read the canvas + predict": predict}, 50)
    times |= interleave(
        {"load full MNIST (.gz)": lambda: load_mnist(os.environ["MNIST_DIR"])}, rounds
    )
    show("Draw page path and data loading", times, [])


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--no-tta", action="store_true", help="skip the time-to-accuracy runs")
    p.add_argument("--stretch", action="store_true", help="also time the 98.4%% preset")
    p.add_argument(
        "--only",
        choices=["full", "epoch", "tta", "draw", "augment", "augment-tta"],
        help="one section only (augment-tta: ~2x the default model's training time)",
    )
    args = p.parse_args()
    if not os.environ.get("MNIST_DIR"):
        p.error("set MNIST_DIR to the official MNIST files")
    data = load_mnist(os.environ["MNIST_DIR"])
    print(
        f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, "
        f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    want = {args.only} if args.only else {"full", "epoch", "tta", "draw", "augment"}
    if args.no_tta:
        want.discard("tta")
    if "full" in want:
        full_batch(data, args.rounds)
    if "epoch" in want:
        mini_batch_epoch(data, args.rounds)
    if "tta" in want:
        time_to_accuracy(data, FAST)
        if args.stretch:
            time_to_accuracy(data, STRETCH, targets=(0.98, 0.984))
    if "draw" in want:
        draw_and_load(args.rounds)
    if "augment" in want:
        augment_epoch(data, args.rounds)
    if "augment-tta" in want:
        augment_time_to_accuracy(data)


if __name__ == "__main__":
    main()
