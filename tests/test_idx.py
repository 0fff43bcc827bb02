import gzip
import struct

import numpy as np
import pytest

from mlcore.data import load_mnist, load_uploaded
from mlcore.idx import IMAGES_MAGIC, LABELS_MAGIC, IdxError, parse_idx, read_idx, write_idx

IMAGES = np.arange(3 * 28 * 28, dtype=np.uint64).astype(np.uint8).reshape(3, 28, 28)
LABELS = np.array([7, 0, 9], dtype=np.uint8)


def image_bytes(n=3, magic=IMAGES_MAGIC, rows=28, cols=28, body=None):
    header = struct.pack(">iIII", magic, n, rows, cols)
    return header + (IMAGES[:n].tobytes() if body is None else body)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_write_then_read_round_trips(tmp_path, suffix):
    write_idx(tmp_path / f"img{suffix}", IMAGES)
    write_idx(tmp_path / f"lab{suffix}", LABELS)
    np.testing.assert_array_equal(read_idx(tmp_path / f"img{suffix}", IMAGES_MAGIC), IMAGES)
    np.testing.assert_array_equal(read_idx(tmp_path / f"lab{suffix}", LABELS_MAGIC), LABELS)


def test_reads_the_official_files_with_their_shapes(full_mnist):
    assert full_mnist.X_train.shape == (60000, 784) and full_mnist.X_train.dtype == np.uint8
    assert full_mnist.y_train.shape == (60000,)
    assert full_mnist.X_test.shape == (10000, 784)
    assert np.bincount(full_mnist.y_test).tolist()[:3] == [980, 1135, 1032]  # published counts


def test_wrong_magic_is_named():
    with pytest.raises(IdxError, match=r"x\.idx: wrong magic number 2049 \(expected 2051"):
        parse_idx(image_bytes(magic=LABELS_MAGIC), "x.idx", IMAGES_MAGIC)


def test_truncated_plain_file_is_named_with_both_sizes():
    data = image_bytes()[:-100]
    with pytest.raises(IdxError, match=r"t\.idx: truncated: header declares \(3, 28, 28\)"):
        parse_idx(data, "t.idx", IMAGES_MAGIC)


def test_truncated_gzip_file_is_rejected_before_decompressing():
    data = gzip.compress(image_bytes())[:-30]
    with pytest.raises(IdxError, match=r"t\.gz: (truncated|corrupt)"):
        parse_idx(data, "t.gz", IMAGES_MAGIC)


def test_gzip_of_a_short_file_is_caught_by_the_trailer_size():
    data = gzip.compress(image_bytes(body=IMAGES[:2].tobytes()))
    with pytest.raises(IdxError, match="gzip trailer says"):
        parse_idx(data, "short.gz", IMAGES_MAGIC)


def test_not_gzip_is_named():
    with pytest.raises(IdxError, match=r"a\.gz: not a gzip file"):
        parse_idx(b"<html>404 Not Found</html>", "a.gz", IMAGES_MAGIC)


def test_absurd_declared_size_is_rejected_without_allocating():
    data = image_bytes(n=4_000_000_000, body=b"")
    with pytest.raises(IdxError, match="absurd size"):
        parse_idx(data, "huge.idx", IMAGES_MAGIC)
    with pytest.raises(IdxError, match="absurd size"):
        parse_idx(gzip.compress(data), "huge.gz", IMAGES_MAGIC)


def test_images_of_the_wrong_size_are_named():
    with pytest.raises(IdxError, match="images are 32x32, expected 28x28"):
        parse_idx(image_bytes(n=0, rows=32, cols=32, body=b""), "b.idx", IMAGES_MAGIC)


def test_trailing_bytes_are_rejected():
    with pytest.raises(IdxError, match="unexpected bytes"):
        parse_idx(image_bytes() + b"xx", "t.idx", IMAGES_MAGIC)


def test_a_label_that_is_not_a_digit_is_named():
    data = struct.pack(">iI", LABELS_MAGIC, 2) + bytes([3, 42])
    with pytest.raises(IdxError, match="label 42 is not a digit"):
        parse_idx(data, "l.idx", LABELS_MAGIC)


def test_empty_file_is_truncated():
    with pytest.raises(IdxError, match="too short"):
        parse_idx(b"", "e.idx", LABELS_MAGIC)


def test_image_and_label_counts_that_differ_are_named(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", IMAGES)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", LABELS[:2])
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", IMAGES)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", LABELS)
    with pytest.raises(
        IdxError, match=r"has 3 images but train-labels-idx1-ubyte\.gz has 2 labels"
    ):
        load_mnist(tmp_path)


def test_uploaded_files_load_and_a_bad_one_is_named():
    good = {
        "train_images": ("train-images-idx3-ubyte", image_bytes()),
        "train_labels": ("train-labels", struct.pack(">iI", LABELS_MAGIC, 3) + LABELS.tobytes()),
        "test_images": ("t10k-images", image_bytes(n=2)),
        "test_labels": ("t10k-labels", struct.pack(">iI", LABELS_MAGIC, 2) + LABELS[:2].tobytes()),
    }
    data = load_uploaded(good)
    assert data.X_train.shape == (3, 784) and data.kind == "upload"
    bad = {**good, "test_images": ("t10k-images.gz", b"garbage")}
    with pytest.raises(IdxError, match=r"t10k-images\.gz: not a gzip file"):
        load_uploaded(bad)
