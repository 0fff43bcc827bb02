"""`python -m mlcore.train`: train the lab's network headless, print progress, save a model."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlcore.data import SAMPLE_DIR, Dataset, cache_dir, find_files, load_mnist
from mlcore.download import DownloadError, DownloadProgress, download_mnist
from mlcore.model import Model, save_model
from mlcore.network import INITS
from mlcore.scaling import SCALES, fit_scaling
from mlcore.train import DTYPES, SCHEDULES, SOFTMAXES, Progress, TrainConfig, new_state, train

DEFAULTS = TrainConfig()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m mlcore.train", description=__doc__)
    p.add_argument("--hidden", type=int, default=DEFAULTS.hidden_size, help="hidden units")
    p.add_argument("--lr", type=float, default=DEFAULTS.learning_rate, help="learning rate")
    p.add_argument(
        "--iterations",
        type=int,
        default=DEFAULTS.iterations,
        help="full batch: gradient steps; mini-batch: passes over the data",
    )
    p.add_argument(
        "--batch-size",
        type=_batch_size,
        default=DEFAULTS.batch_size,
        help="'full' (the lab) or a number of images",
    )
    p.add_argument("--seed", type=int, default=DEFAULTS.seed)
    p.add_argument("--scale", choices=SCALES, default=DEFAULTS.scale, help="input scaling")
    p.add_argument("--init", choices=INITS, default=DEFAULTS.init)
    p.add_argument("--init-scale", type=float, default=DEFAULTS.init_scale)
    p.add_argument(
        "--momentum",
        type=float,
        default=DEFAULTS.momentum,
        help="0 = the lab's plain GD",
    )
    p.add_argument("--schedule", choices=SCHEDULES, default=DEFAULTS.schedule)
    p.add_argument(
        "--softmax",
        choices=SOFTMAXES,
        default=DEFAULTS.softmax,
        help="'naive' = the lab's exp(l) / sum(exp(l)) (slower; nan once a logit passes ~88.7)",
    )
    p.add_argument("--dtype", choices=DTYPES, default=DEFAULTS.dtype, help="weights and inputs")
    p.add_argument(
        "--data",
        default="full",
        help="'sample' (bundled), 'full' ($MNIST_DIR, else the cache, else download), "
        "or a directory holding the four MNIST files",
    )
    p.add_argument("--out", type=Path, help="save the trained model here (.npz)")
    return p.parse_args(argv)


def _batch_size(text: str) -> int | None:
    if text == "full":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"batch size must be 'full' or a number, got {text!r}"
        ) from None


def get_data(choice: str) -> Dataset:
    """The dataset --data names; 'full' downloads into the cache when nothing else is there."""
    if choice == "sample":
        return load_mnist(SAMPLE_DIR)
    if choice != "full":
        return load_mnist(choice)
    if os.environ.get("MNIST_DIR") or find_files(cache_dir()) is not None:
        return load_mnist()
    print(f"full MNIST not found: downloading into {cache_dir()}", file=sys.stderr)
    download_mnist(cache_dir(), progress=_print_download)
    print(file=sys.stderr)
    return load_mnist()  # finds the cache now


def _print_download(p: DownloadProgress) -> None:
    total = f"/{p.bytes_total / 1e6:.1f}" if p.bytes_total else ""
    print(
        f"\r[{p.file_index + 1}/{p.n_files}] {p.file}: {p.bytes_done / 1e6:.1f}{total} MB",
        end="",
        file=sys.stderr,
        flush=True,
    )


def _bar(report: Progress, iterations: int, width: int = 30) -> str:
    filled = round(width * report.iteration / iterations)
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {report.iteration:6.2f}/{iterations}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = TrainConfig(
            hidden_size=args.hidden,
            learning_rate=args.lr,
            iterations=args.iterations,
            batch_size=args.batch_size,
            seed=args.seed,
            scale=args.scale,
            init=args.init,
            init_scale=args.init_scale,
            momentum=args.momentum,
            schedule=args.schedule,
            softmax=args.softmax,
            dtype=args.dtype,
        )
        data = get_data(args.data)
    except DownloadError as e:
        print(f"error: {e}\n(offline? --data sample trains on the bundled sample)", file=sys.stderr)
        return 2
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"data: {data.description}")
    scaling = fit_scaling(config.scale, data.X_train)
    X, X_test = (scaling.apply(a, config.dtype) for a in (data.X_train, data.X_test))
    state = new_state(config)
    for report in train(config, state, X, data.y_train, X_test, data.y_test):
        if sys.stderr.isatty():
            print(_bar(report, config.iterations), end="", file=sys.stderr, flush=True)
        if report.iteration % 1 == 0 or report.done:
            test = "" if report.test_accuracy is None else f"  test acc {report.test_accuracy:.2%}"
            print(
                f"\riteration {report.iteration:5.2f}  loss {report.train_loss:.4f}  "
                f"train acc {report.train_accuracy:.2%}{test}  {report.elapsed:6.1f} s"
            )
    last = state.history[-1]
    print(last.reason)
    if args.out:
        info = {
            "config": config.as_dict(),
            "test_accuracy": last.test_accuracy,
            "data": data.description,
        }
        save_model(Model(state.params, scaling, info), args.out)
        print(f"saved {args.out}")
    if last.test_accuracy is None:
        print("test accuracy: n/a (diverged)")
        return 1
    print(f"test accuracy: {last.test_accuracy:.2%}")
    return 0
