import io
import struct
import time
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

from mlcore.model import Model, ModelFileError, load_model, model_bytes, save_model
from mlcore.network import init_params, predict_proba
from mlcore.scaling import Scaling, fit_scaling


def a_model(hidden=8):
    params = init_params(np.random.default_rng(0), hidden)
    return Model(params, Scaling("standard", 33.3, 78.6), {"test_accuracy": 0.5})


def test_save_then_load_round_trips(tmp_path):
    model = a_model()
    save_model(model, tmp_path / "m.npz")
    loaded = load_model(tmp_path / "m.npz")
    for a, b in zip(model.params.arrays(), loaded.params.arrays(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert loaded.scaling == model.scaling and loaded.info == model.info


def test_model_bytes_load_from_a_buffer():
    loaded = load_model(io.BytesIO(model_bytes(a_model())))
    assert loaded.params.hidden_size == 8


def test_model_scales_raw_pixels_before_predicting():
    model = a_model()
    pixels = np.random.default_rng(1).integers(0, 256, (3, 784))
    expected = predict_proba(model.params, ((pixels - 33.3) / 78.6).astype(np.float32))
    np.testing.assert_allclose(model.predict_proba(pixels), expected, rtol=1e-5)
    assert model.predict_proba(pixels[0]).shape == (10,)


def write(tmp_path, **arrays):
    path = tmp_path / "bad.npz"
    base = dict(np.load(io.BytesIO(model_bytes(a_model()))))
    base.update(arrays)
    np.savez(path, **{k: v for k, v in base.items() if v is not None})
    return path


def test_wrong_shape_is_named(tmp_path):
    with pytest.raises(ModelFileError, match=r"w2 has shape \(8, 9\), expected \(8, 10\)"):
        load_model(write(tmp_path, w2=np.zeros((8, 9), np.float32)))


def test_nan_weights_are_rejected(tmp_path):
    b1 = np.zeros(8, np.float32)
    b1[3] = np.nan
    with pytest.raises(ModelFileError, match="b1 contains nan or inf"):
        load_model(write(tmp_path, b1=b1))


def test_integer_weights_are_rejected(tmp_path):
    with pytest.raises(ModelFileError, match="b2 has dtype int64"):
        load_model(write(tmp_path, b2=np.zeros(10, np.int64)))


def test_missing_arrays_are_named(tmp_path):
    with pytest.raises(ModelFileError, match="missing w1"):
        load_model(write(tmp_path, w1=None))


def test_pickled_objects_are_refused(tmp_path):
    path = write(tmp_path, info=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(ModelFileError, match=r"not a readable \.npz"):
        load_model(path)


def test_a_non_npz_file_is_named(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("hello")
    with pytest.raises(ModelFileError, match=r"notes\.npz: not a readable \.npz"):
        load_model(path)


def test_standard_scaling_statistics_match_numpy(sample_mnist):
    s = fit_scaling("standard", sample_mnist.X_train)
    assert s.offset == pytest.approx(sample_mnist.X_train.mean())
    assert s.divisor == pytest.approx(sample_mnist.X_train.std())
    assert fit_scaling("unit", sample_mnist.X_train).apply(np.array([255])).tolist() == [1.0]


# Hand-made zip files: a member can be a stream of deflated zeros far larger inflated than on
# disk (1 MiB of zeros deflates to ~1 kB, and the same bytes repeat after a full flush).
def npy_header(shape, descr="<f4") -> bytes:
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue()


def deflated(head: bytes, zeros: int) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, inflated size) of head followed by zeros zero bytes."""
    deflate, mib = zlib.compressobj(9, zlib.DEFLATED, -15), bytes(1 << 20)
    parts = [deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)]
    block = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(zeros >> 20):
        parts.append(block)
        crc = zlib.crc32(mib, crc)
    rest = bytes(zeros & ((1 << 20) - 1))
    parts.append(deflate.compress(rest) + deflate.flush())
    return b"".join(parts), zlib.crc32(rest, crc), len(head) + zeros


def write_zip(path, members: dict[str, tuple[bytes, int, int]]):
    """A zip of pre-deflated members: name -> (deflate stream, CRC-32, inflated size)."""
    local, central = bytearray(), bytearray()
    for name, (data, crc, size) in members.items():
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(name))
        central += struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIH", *fields)
        central += struct.pack("<HHHHII", 0, 0, 0, 0, 0, len(local)) + name.encode()
        local += struct.pack("<I", 0x04034B50) + struct.pack("<HHHHHIIIH", *fields)
        local += struct.pack("<H", 0) + name.encode() + data
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, *[len(members)] * 2, len(central), len(local), 0
    )
    path.write_bytes(bytes(local + central + end))
    return path


def good_members() -> dict[str, tuple[bytes, int, int]]:
    with zipfile.ZipFile(io.BytesIO(model_bytes(a_model()))) as z:
        return {n: deflated(z.read(n), 0) for n in z.namelist()}


def loads_small_and_fast(path) -> ModelFileError:
    """The ModelFileError of loading path, asserting it came at once, without a big allocation."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ModelFileError) as err:
            load_model(path)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - start < 1.0 and peak < 20e6
    assert str(path.name) in str(err.value)
    return err.value


def test_the_hand_made_zip_of_a_good_model_loads(tmp_path):
    assert load_model(write_zip(tmp_path / "m.npz", good_members())).params.hidden_size == 8


def test_a_truncated_zip_is_a_model_file_error(tmp_path):
    data = model_bytes(a_model())
    path = tmp_path / "cut.npz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=r"cut\.npz: not a readable \.npz"):
        load_model(path)


def test_a_header_declaring_a_huge_array_is_rejected_before_allocating(tmp_path):
    members = good_members()
    members["w1.npy"] = deflated(npy_header((784, 10**9)), 64)
    error = loads_small_and_fast(write_zip(tmp_path / "huge.npz", members))
    assert "w1 has shape (784, 1000000000)" in str(error)


def test_a_zip_bomb_member_is_rejected_before_it_is_inflated(tmp_path):
    members = good_members()
    members["w1.npy"] = deflated(npy_header((784, 400_000)), 784 * 400_000 * 4)  # 1.25 GB
    path = write_zip(tmp_path / "bomb.npz", members)
    assert path.stat().st_size < 2e6
    assert "w1 has shape (784, 400000)" in str(loads_small_and_fast(path))


def test_a_member_whose_zip_size_disagrees_with_its_header_is_rejected(tmp_path):
    members = good_members()
    head = npy_header((8,))
    members["b1.npy"] = deflated(head, 8 * 4 + (500 << 20))  # the array, then 500 MB more
    assert "b1" in str(loads_small_and_fast(write_zip(tmp_path / "long.npz", members)))


def test_an_extra_member_is_rejected_without_being_read(tmp_path):
    members = good_members()
    members["extra.npy"] = deflated(npy_header((1 << 28,)), 1 << 30)  # 1 GB of float32 zeros
    error = loads_small_and_fast(write_zip(tmp_path / "extra.npz", members))
    assert "extra.npy" in str(error)
