import numpy as np
import pytest

from mlcore.config import TrainConfig
from mlcore.data import SAMPLE_DIR, DataRef, cache_dir, identify_upload, load_mnist, locate
from mlcore.idx import write_idx
from mlcore.spec import RunSpec


def test_sample_is_stratified_and_read_only(sample_mnist):
    assert np.bincount(sample_mnist.y_train).tolist() == [1000] * 10
    assert np.bincount(sample_mnist.y_test).tolist() == [200] * 10
    assert not sample_mnist.X_train.flags.writeable
    assert sample_mnist.kind == "sample"


def test_sample_images_are_official_mnist_images(sample_mnist, full_mnist):
    rows = {bytes(r) for r in full_mnist.X_train}
    assert all(bytes(r) in rows for r in sample_mnist.X_train[:50])


def test_source_order_is_directory_then_cache_then_sample(tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("MNIST_CACHE", str(tmp_path / "cache"))
    assert locate() == ("sample", SAMPLE_DIR)
    cache = tmp_path / "cache"
    cache.mkdir()
    for path in SAMPLE_DIR.glob("*.gz"):
        (cache / path.name).write_bytes(path.read_bytes())
    assert locate() == ("full", cache)
    assert load_mnist().label == "Full MNIST (downloaded)"
    monkeypatch.setenv("MNIST_DIR", str(cache))
    assert locate() == ("full", cache)
    assert load_mnist().kind == "full"


def test_a_run_s_data_has_one_word_from_the_folder_to_the_spec(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_DIR", str(SAMPLE_DIR))
    assert load_mnist().kind == "sample" and load_mnist().label == "Bundled sample of MNIST"
    with pytest.raises(ValueError, match="'directory'"):
        DataRef("directory", str(SAMPLE_DIR))  # the old word for full MNIST is no data kind
    assert RunSpec(TrainConfig(), DataRef("full", "x").kind).data == "full"


def test_mnist_dir_without_the_files_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        locate()


def test_uncompressed_files_with_dotted_names_are_found(tmp_path, sample_mnist):
    write_idx(tmp_path / "train-images.idx3-ubyte", sample_mnist.X_train[:5].reshape(-1, 28, 28))
    write_idx(tmp_path / "train-labels.idx1-ubyte", sample_mnist.y_train[:5])
    write_idx(tmp_path / "t10k-images-idx3-ubyte", sample_mnist.X_test[:4].reshape(-1, 28, 28))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", sample_mnist.y_test[:4])
    data = load_mnist(tmp_path)
    np.testing.assert_array_equal(data.X_train, sample_mnist.X_train[:5])
    assert data.y_test.shape == (4,)


def test_cache_dir_honours_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "mnist-backprop-lab" / "mnist"


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("train-images-idx3-ubyte.gz", "train_images"),
        ("train-labels.idx1-ubyte", "train_labels"),
        ("t10k-images-idx3-ubyte", "test_images"),
        ("t10k-labels-idx1-ubyte.gz", "test_labels"),
        ("cat.png", None),
    ],
)
def test_uploaded_file_names_map_to_their_role(name, role):
    assert identify_upload(name) == role
