"""`python -m mlcore.train`: train the lab's network headless, print progress, save a model."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import fields, replace
from pathlib import Path
from typing import get_type_hints

from mlcore.config import CHOICES, SETTINGS, TrainConfig, format_value, parse_value
from mlcore.data import SAMPLE_DIR, Dataset, cache_dir, find_files, load_mnist, max_upload_images
from mlcore.download import DownloadError, DownloadProgress, download_mnist
from mlcore.lessons import PRESET_WORDS, PRESETS
from mlcore.loop import TrainState, new_state, train
from mlcore.model import Model, save_model
from mlcore.progress import Progress
from mlcore.resources import check_run_fits, machine_memory
from mlcore.scaling import Scaling, fit_scaling

# Settings a laptop cannot hold are refused before allocating: by default a run may use half
# the machine's memory, leaving the rest to the system and the browser; past that it would
# swap (or be killed) rather than fail with a sentence.
MEMORY_SHARE = 0.5
# Flags come from TrainConfig's fields (--hidden-size for hidden_size); these only add words.
ALIASES = {"hidden_size": ("--hidden",), "learning_rate": ("--lr",)}


def build_parser() -> argparse.ArgumentParser:
    """--preset, a flag per TrainConfig field (its type, default and CHOICES), --data, --out.

    A field's flag is only set when given (default SUPPRESS): it overrides the preset's value.
    """
    p = argparse.ArgumentParser(prog="python -m mlcore.train", description=__doc__)
    p.add_argument(
        "--preset",
        choices=list(PRESET_WORDS),
        help="start from a preset of the Train page (the flags below change it): "
        + "; ".join(f"{word} = {name}" for word, name in PRESET_WORDS.items()).replace("%", "%%"),
    )
    hints, defaults = get_type_hints(TrainConfig), TrainConfig()
    for f in fields(TrainConfig):
        _add_field(p, f.name, hints[f.name], getattr(defaults, f.name))
    p.add_argument(
        "--data",
        default="full",
        help="'sample' (bundled), 'full' ($MNIST_DIR, else the cache, else download), "
        "or a directory holding the four MNIST files",
    )
    p.add_argument("--out", type=Path, help="save the trained model here (.npz is added)")
    ram = machine_memory()
    p.add_argument(
        "--max-memory-mb",
        type=float,
        default=(ram or 8 * 2**30) * MEMORY_SHARE / 2**20,
        help="refuse settings whose estimated memory (the run and its scaled data) is larger "
        f"(default: half of this machine's {(ram or 0) / 2**30:.1f} GB)",
    )
    return p


def _add_field(p: argparse.ArgumentParser, name: str, hint, default) -> None:
    """One flag for a TrainConfig field: --name-with-dashes plus any ALIASES."""
    flags = (f"--{name.replace('_', '-')}", *ALIASES.get(name, ()))
    shown = format_value(default, name) if default is None else default  # None: "full"
    help_text = f"{SETTINGS[name].summary} (default: {shown})"
    default = argparse.SUPPRESS  # only a flag given overrides the preset (or TrainConfig())
    if hint is bool:
        p.add_argument(
            *flags, dest=name, default=default, help=help_text,
            action=argparse.BooleanOptionalAction,
        )  # fmt: skip
        return
    p.add_argument(
        *flags, dest=name, default=default, help=help_text,
        type=_value_parser(name), choices=CHOICES.get(name),
    )  # fmt: skip


def _value_parser(name: str):
    """text -> the field's value (mlcore.config.parse_value), or argparse's error naming it."""

    def parse(text: str):
        try:
            return parse_value(name, text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    return parse


def parse_config(argv: list[str]) -> TrainConfig:
    """The TrainConfig the command line argv asks for (ValueError names a bad value)."""
    return _config(build_parser().parse_args(argv))


def _config(args: argparse.Namespace) -> TrainConfig:
    base = PRESETS[PRESET_WORDS[args.preset]] if args.preset else TrainConfig()
    given = {f.name: getattr(args, f.name) for f in fields(TrainConfig) if hasattr(args, f.name)}
    return replace(base, **given)


def output_path(out: Path) -> Path:
    """The file --out writes (numpy adds .npz to a name without it); ValueError if unusable."""
    if out.is_dir():
        raise ValueError(f"--out {out} is a directory: give a file name, e.g. {out / 'model.npz'}")
    path = out if out.suffix == ".npz" else out.with_name(out.name + ".npz")
    if path.is_dir():
        raise ValueError(f"--out {out}: {path} is a directory")
    if not path.parent.is_dir():
        raise ValueError(f"--out {out}: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise ValueError(f"--out {out}: the folder {path.parent} is not writable")
    return path


def get_data(choice: str) -> Dataset:
    """The dataset --data names; 'full' downloads into the cache when nothing else is there."""
    if choice == "sample":
        return load_mnist(SAMPLE_DIR)
    if choice != "full":  # a folder of the user's: bounded like an upload
        return load_mnist(choice, max_items=max_upload_images())
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
    """Train as argv asks, print progress, save the model with --out; the exit status."""
    args = build_parser().parse_args(argv)
    try:
        config, out, data, scaling = _prepare(args)
    except DownloadError as e:
        print(f"error: {e}\n(offline? --data sample trains on the bundled sample)", file=sys.stderr)
        return 2
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"data: {data.description}")
    state = _train(config, data, scaling)
    last = state.history[-1]
    print(last.reason)
    if out is not None:
        info = {"config": config.as_dict(), "test_accuracy": last.test_accuracy}
        try:
            save_model(Model(state.params, scaling, info | {"data": data.description}), out)
        except OSError as e:  # ModelSaveError: says what became of the old file and the weights
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"saved {out}")
    if last.test_accuracy is None:
        print("test accuracy: n/a (diverged)")
        return 1
    print(f"test accuracy: {last.test_accuracy:.2%}")
    return 0


def _prepare(args: argparse.Namespace) -> tuple[TrainConfig, Path | None, Dataset, Scaling]:
    """The config, output path, data and scaling args ask for; ValueError/OSError if not."""
    config = _config(args)
    out = output_path(args.out) if args.out else None
    data = get_data(args.data)
    n_train, n_test = len(data.y_train), len(data.y_test)
    check_run_fits(config, n_train, n_test, int(args.max_memory_mb * 2**20))
    return config, out, data, fit_scaling(config.scale, data.X_train)


def _train(config: TrainConfig, data: Dataset, scaling: Scaling) -> TrainState:
    """A run of config on data, its progress printed: a line per pass, a bar on a terminal."""
    X, X_test = scaling.apply(data.X_train, config.dtype), scaling.apply(data.X_test, config.dtype)
    state = new_state(config)
    reports = train(
        config, state, X, data.y_train, X_test, data.y_test, background=scaling.background
    )
    for report in reports:
        if sys.stderr.isatty():
            print(_bar(report, config.iterations), end="", file=sys.stderr, flush=True)
        if report.iteration % 1 == 0 or report.done:
            test = "" if report.test_accuracy is None else f"  test acc {report.test_accuracy:.2%}"
            print(
                f"\riteration {report.iteration:5.2f}  loss {report.train_loss:.4f}  "
                f"train acc {report.train_accuracy:.2%}{test}  {report.elapsed:6.1f} s"
            )
    return state
