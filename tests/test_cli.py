import argparse
import errno
import os
import subprocess
import sys
import tracemalloc
from dataclasses import fields
from typing import get_type_hints

import numpy as np
import pytest

from mlcore import model as model_module
from mlcore.cli import build_parser, main, parse_config
from mlcore.idx import write_idx
from mlcore.model import load_model
from mlcore.train import CHOICES, TrainConfig

from .conftest import ROOT


def test_cli_trains_on_the_sample_saves_a_model_and_ends_with_test_accuracy(tmp_path, capsys):
    out = tmp_path / "m.npz"
    code = main(["--data", "sample", "--iterations", "2", "--hidden", "32", "--out", str(out)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    assert lines[0].startswith("data: Bundled sample of MNIST: 10,000 training / 2,000 test images")
    assert lines[-1].startswith("test accuracy: ") and lines[-1].endswith("%")
    accuracy = float(lines[-1].removeprefix("test accuracy: ").removesuffix("%"))
    model = load_model(out)
    assert model.params.hidden_size == 32
    assert model.info.test_accuracy == pytest.approx(accuracy / 100, abs=5e-5)


def test_cli_full_batch_with_the_labs_flags(capsys):
    argv = [
        "--data",
        "sample",
        "--scale",
        "raw",
        "--lr",
        "0.01",
        "--iterations",
        "3",
        "--batch-size",
        "full",
        "--hidden",
        "20",
        "--seed",
        "712",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "iteration  3.00" in out and "finished 3 iterations" in out


def test_cli_rejects_a_bad_batch_size_by_name(capsys):
    with pytest.raises(SystemExit):
        main(["--batch-size", "lots"])
    assert "batch_size='lots' is not 'full' or a whole number" in capsys.readouterr().err


def test_cli_rejects_a_negative_learning_rate_by_name(capsys):
    assert main(["--data", "sample", "--lr", "-1"]) == 2
    assert "learning_rate=-1.0 must be a positive number" in capsys.readouterr().err


def test_cli_names_a_directory_without_mnist(tmp_path, capsys):
    assert main(["--data", str(tmp_path)]) == 2
    assert str(tmp_path) in capsys.readouterr().err


def test_python_dash_m_mlcore_train_runs():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlcore.train",
            "--data",
            "sample",
            "--iterations",
            "1",
            "--hidden",
            "16",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("test accuracy: ")


def test_cli_full_without_a_copy_downloads_into_the_cache_then_trains(
    server, tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("MNIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_MIRRORS", f"{server}/good/")
    assert main(["--data", "full", "--iterations", "1", "--hidden", "8"]) == 0
    out = capsys.readouterr()
    assert "downloading into" in out.err
    assert "data: Full MNIST (downloaded): 60,000 training / 10,000 test images" in out.out
    assert len(list((tmp_path / "cache").glob("*.gz"))) == 4


def test_cli_full_when_every_mirror_fails_says_so_without_a_traceback(
    server, tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("MNIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_MIRRORS", f"{server}/missing/")
    assert main(["--data", "full", "--iterations", "1"]) == 2
    err = capsys.readouterr().err
    assert "could not download train-images-idx3-ubyte.gz" in err and "HTTP 404" in err
    assert "--data sample" in err


def test_out_to_a_missing_folder_is_refused_before_training(tmp_path, capsys):
    out = tmp_path / "no" / "such" / "m.npz"
    assert main(["--data", "sample", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert f"{out.parent} does not exist" in captured.err
    assert "data:" not in captured.out  # nothing was loaded or trained


def test_out_to_a_directory_is_refused_before_training(tmp_path, capsys):
    assert main(["--data", "sample", "--out", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "is a directory" in captured.err and "data:" not in captured.out


def test_out_without_npz_prints_the_path_really_written(tmp_path, capsys):
    out = tmp_path / "model"
    assert main(["--data", "sample", "--iterations", "1", "--hidden", "8", "--out", str(out)]) == 0
    assert f"saved {out}.npz" in capsys.readouterr().out
    assert load_model(f"{out}.npz").params.hidden_size == 8


def test_a_negative_seed_is_an_error_naming_it_not_a_traceback(capsys):
    assert main(["--data", "sample", "--seed", "-1"]) == 2
    assert "seed=-1 must be >= 0" in capsys.readouterr().err


def test_data_whose_pixels_are_all_zero_is_an_error_not_a_traceback(tmp_path, capsys):
    for prefix, n in (("train", 20), ("t10k", 10)):
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte.gz", np.zeros((n, 28, 28), np.uint8))
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", np.arange(n, dtype=np.uint8) % 10)
    assert main(["--data", str(tmp_path), "--iterations", "1"]) == 2
    assert "cannot standardize: every training pixel has the same value" in capsys.readouterr().err


def test_every_train_config_field_has_a_flag_with_its_default_and_choices():
    parser = build_parser()
    actions = {a.dest: a for a in parser._actions}
    for f in fields(TrainConfig):
        action = actions[f.name]
        assert f"--{f.name.replace('_', '-')}" in action.option_strings
        default = getattr(TrainConfig(), f.name)  # shown; the flag only overrides (--preset)
        assert action.default == argparse.SUPPRESS
        assert f"(default: {'full' if default is None else default})" in action.help
        if f.name in CHOICES:
            assert tuple(action.choices) == tuple(CHOICES[f.name])


def test_every_text_field_of_train_config_has_its_choices_registered():
    hints = get_type_hints(TrainConfig)
    assert {f.name for f in fields(TrainConfig) if hints[f.name] is str} == set(CHOICES)


def test_the_long_flags_build_the_same_config_as_the_old_short_ones():
    long = parse_config(["--hidden-size", "32", "--learning-rate", "0.1", "--batch-size", "full"])
    assert long == parse_config(["--hidden", "32", "--lr", "0.1", "--batch-size", "full"])
    assert long == TrainConfig(hidden_size=32, learning_rate=0.1, batch_size=None)


def test_the_augment_flag_comes_from_the_field_and_builds_its_config():
    assert parse_config(["--augment", "elastic"]).augment == "elastic"
    assert parse_config([]).augment == "none"
    with pytest.raises(SystemExit):
        parse_config(["--augment", "warp"])


def test_a_hidden_layer_too_big_for_the_memory_is_refused_before_allocating(capsys):
    tracemalloc.start()
    try:
        code = main(["--data", "sample", "--hidden-size", "100000000"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and peak < 100e6
    assert err.startswith("error: hidden size 100,000,000") and "GB allowed" in err
    assert err.count("\n") == 1  # one sentence


def test_max_memory_mb_bounds_the_cli_run(capsys):
    assert main(["--data", "sample", "--max-memory-mb", "10"]) == 2
    assert "more than the 0.01 GB allowed" in capsys.readouterr().err


def test_a_data_folder_is_bounded_like_an_upload(tmp_path, monkeypatch, capsys):
    images, labels = np.zeros((3, 28, 28), np.uint8), np.arange(3, dtype=np.uint8)
    for prefix in ("train", "t10k"):
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte", images)
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", labels)
    monkeypatch.setenv("MNIST_LAB_MAX_UPLOAD_IMAGES", "2")
    assert main(["--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "3 images, more than the 2 this server accepts" in err and "Traceback" not in err


def test_out_over_an_old_model_on_a_full_disk_keeps_it_and_says_where_the_weights_are(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "model.npz"
    out.write_bytes(b"the old model")
    real, calls = model_module._write_npz, []

    def full_disk_here(model, fp):  # the first write (beside --out) finds the disk full
        calls.append(fp)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(model, fp)

    monkeypatch.setattr(model_module, "_write_npz", full_disk_here)
    assert main(["--data", "sample", "--hidden", "8", "--iterations", "1", "--out", str(out)]) == 2
    assert out.read_bytes() == b"the old model"
    err = capsys.readouterr().err
    assert f"{out} is unchanged" in err and "Traceback" not in err
    kept = err.split("the new weights were kept in ")[1].strip()
    assert load_model(kept).params.hidden_size == 8
    os.unlink(kept)
