import subprocess
import sys

import pytest

from mlcore.cli import main
from mlcore.model import load_model

from .conftest import ROOT


def test_cli_trains_on_the_sample_saves_a_model_and_ends_with_test_accuracy(tmp_path, capsys):
    out = tmp_path / "m.npz"
    code = main(["--data", "sample", "--iterations", "2", "--hidden", "32", "--out", str(out)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    assert lines[0].startswith("data: sample: 10,000 training / 2,000 test images")
    assert lines[-1].startswith("test accuracy: ") and lines[-1].endswith("%")
    accuracy = float(lines[-1].removeprefix("test accuracy: ").removesuffix("%"))
    model = load_model(out)
    assert model.params.hidden_size == 32
    assert model.info["test_accuracy"] == pytest.approx(accuracy / 100, abs=5e-5)


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
    assert "batch size must be 'full' or a number, got 'lots'" in capsys.readouterr().err


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
    assert "data: cache: 60,000 training / 10,000 test images" in out.out
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
