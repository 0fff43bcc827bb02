import gzip
import struct
import subprocess
import sys
import time
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest

from mlcore.data import SAMPLE_DIR, load_mnist, load_uploaded
from mlcore.idx import IMAGES_MAGIC, LABELS_MAGIC, IdxError, parse_idx, read_idx, write_idx

IMAGES = np.arange(3 * 28 * 28, dtype=np.uint64).astype(np.uint8).reshape(3, 28, 28)
LABELS = np.array([7, 0, 9], dtype=np.uint8)
ROOT = Path(__file__).resolve().parent.parent


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


def test_gzip_of_a_short_file_is_named_as_truncated():
    data = gzip.compress(image_bytes(body=IMAGES[:2].tobytes()))
    with pytest.raises(IdxError, match=r"short\.gz: truncated: header declares \(3, 28, 28\)"):
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


def test_a_gzip_stream_with_trailing_garbage_is_reported_as_trailing_data():
    data = gzip.compress(image_bytes()) + b"garbage after the end"
    with pytest.raises(IdxError, match=r"t\.gz: 21 bytes of extra data after the end") as err:
        parse_idx(data, "t.gz", IMAGES_MAGIC)
    assert "truncated" not in str(err.value)


def test_a_cut_short_gzip_is_named_in_plain_words_with_the_detail_kept():
    whole = gzip.compress(image_bytes(), mtime=0)
    data = whole[: len(whole) // 2]
    with pytest.raises(IdxError) as err:
        parse_idx(data, "t.gz", IMAGES_MAGIC)
    assert err.value.plain.startswith(
        "t.gz: this file is cut short or damaged (expected 2.4 kB of images, found "
    )
    assert "header declares (3, 28, 28)" in str(err.value)


def uploads(images: bytes, name="train-images-idx3-ubyte.gz"):
    labels = struct.pack(">iI", LABELS_MAGIC, 3) + LABELS.tobytes()
    return {
        "train_images": (name, images),
        "train_labels": ("train-labels-idx1-ubyte", labels),
        "test_images": ("t10k-images-idx3-ubyte", image_bytes()),
        "test_labels": ("t10k-labels-idx1-ubyte", labels),
    }


def test_uploads_with_more_images_than_the_limit_are_refused_from_the_header(monkeypatch):
    monkeypatch.setenv("MNIST_LAB_MAX_UPLOAD_IMAGES", "2")
    with pytest.raises(IdxError, match=r"train-images.*3 images, more than the 2 this server"):
        load_uploaded(uploads(image_bytes()))


def test_a_bad_upload_image_limit_is_named(monkeypatch):
    monkeypatch.setenv("MNIST_LAB_MAX_UPLOAD_IMAGES", "lots")
    with pytest.raises(ValueError, match="MNIST_LAB_MAX_UPLOAD_IMAGES='lots'"):
        load_uploaded(uploads(image_bytes()))


def gzip_of_blank_images(n: int) -> bytes:
    """A gzip file of n all-zero 28x28 images, ~1 kB per MiB inflated (a gzip bomb)."""
    head = struct.pack(">iIII", IMAGES_MAGIC, n, 28, 28)
    deflate, mib = zlib.compressobj(9, zlib.DEFLATED, -15), bytes(1 << 20)
    parts = [deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)]
    block = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    size, crc = n * 784, zlib.crc32(head)
    for _ in range(size >> 20):
        parts.append(block)
        crc = zlib.crc32(mib, crc)
    rest = bytes(size & ((1 << 20) - 1))
    parts.append(deflate.compress(rest) + deflate.flush())
    trailer = struct.pack("<II", zlib.crc32(rest, crc), (16 + size) & 0xFFFFFFFF)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + b"".join(parts) + trailer


def test_a_1_mb_gzip_bomb_of_blank_images_is_refused_at_once_without_allocating():
    bomb = gzip_of_blank_images(1_369_000)  # 1.07 GB inflated, just under the 1 GiB file cap
    assert len(bomb) < 1.5e6
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(IdxError, match="1,369,000 images, more than the 120,000"):
            load_uploaded(uploads(bomb))
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - start < 0.5 and peak < 5e6


def test_a_corrupt_file_uploaded_alone_is_named_as_corrupt_not_as_missing_files():
    with pytest.raises(IdxError, match=r"t10k-images\.gz: not a gzip file") as err:
        load_uploaded({"test_images": ("t10k-images.gz", b"garbage")})
    assert "missing" not in str(err.value)


def test_an_uncompressed_file_is_checked_from_its_header_before_it_is_read(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    header = struct.pack(">iIII", IMAGES_MAGIC, 3, 28, 28)
    path.write_bytes(header + bytes(3 * 784) + bytes(50_000_000))  # 50 MB past its end
    tracemalloc.start()
    try:
        with pytest.raises(IdxError, match="50,000,000 unexpected bytes"):
            read_idx(path, IMAGES_MAGIC)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1e6


def test_a_plain_file_over_the_image_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(struct.pack(">iIII", IMAGES_MAGIC, 3, 28, 28) + bytes(3 * 784))
    with pytest.raises(IdxError, match="3 images, more than the 2"):
        read_idx(path, IMAGES_MAGIC, max_items=2)
    assert read_idx(path, IMAGES_MAGIC, max_items=3).shape == (3, 28, 28)


def gzip_bomb(n_images: int = 120_000) -> bytes:
    """A valid IDX image file of n_images blank images, gzip-compressed: ~90 kB for 94 MB."""
    head = struct.pack(">iIII", IMAGES_MAGIC, n_images, 28, 28)
    d = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    parts = [d.compress(head)]
    left = n_images * 784
    while left:
        parts.append(d.compress(chunk[: min(left, len(chunk))]))
        left -= min(left, len(chunk))
    return b"".join(parts) + d.flush()


def test_a_gzip_bomb_is_refused_before_it_is_unpacked_naming_its_ratio():
    bomb = gzip_bomb()
    assert len(bomb) < 100_000
    with pytest.raises(IdxError, match=r"bomb\.gz: .* times its size: real image files shrink"):
        parse_idx(bomb, "bomb.gz", IMAGES_MAGIC, max_items=120_000)


def test_the_official_files_compression_passes_the_ratio_check():
    for name in ("train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        data = (SAMPLE_DIR / name).read_bytes()
        magic = IMAGES_MAGIC if "images" in name else LABELS_MAGIC
        assert len(parse_idx(data, name, magic)) > 0


def test_two_gzip_bombs_uploaded_add_little_to_the_servers_memory():
    """The probe's case: two 89 kB uploads added 180 MB. Peak RSS of a fresh process, before
    and after loading them as an upload, in MB."""
    script = (
        "import resource, sys\n"
        "from mlcore.data import load_uploaded\n"
        "from tests.test_idx import gzip_bomb\n"
        "bomb = gzip_bomb()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "blobs = {r: (r + '.gz', bomb) for r in ('train_images', 'test_images')}\n"
        "try:\n"
        "    load_uploaded(blobs)\n"
        "except ValueError as e:\n"
        "    print(type(e).__name__, file=sys.stderr)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    grown_mb = float(out.stdout.split()[-1])
    assert grown_mb < 10, f"two 90 kB uploads grew the process by {grown_mb:.0f} MB"
