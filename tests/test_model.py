import errno
import io
import os
import struct
import time
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

from mlcore import model as model_module
from mlcore.model import (
    Model,
    ModelFileError,
    ModelInfo,
    ModelSaveError,
    load_model,
    model_bytes,
    save_model,
)
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


# Hostile files: every one must be a ModelFileError with a sentence, and nothing else.
def good_arrays() -> dict[str, np.ndarray]:
    return dict(np.load(io.BytesIO(model_bytes(a_model()))))


def npz_with(**changes) -> bytes:
    """A model's .npz with some arrays replaced (None: left out)."""
    arrays = good_arrays() | changes
    buf = io.BytesIO()
    np.savez(buf, **{k: v for k, v in arrays.items() if v is not None})
    return buf.getvalue()


def info_json(text: str) -> bytes:
    return npz_with(info=np.array(text))


def zip_of(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def good_member_bytes() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(model_bytes(a_model()))) as z:
        return {n: z.read(n) for n in z.namelist()}


def member_replaced(name: str, data: bytes) -> bytes:
    return zip_of(good_member_bytes() | {name: data})


def flipped_in_member(method) -> bytes:
    """A zip of the model's members compressed with method, bytes inside w1's data flipped."""
    data = bytearray(zip_of(good_member_bytes(), method))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("w1.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 20, start + 60):
        data[i] ^= 0x5A
    return bytes(data)


def with_flag_bits(data: bytes, bits: int) -> bytes:
    """Every zip header of data with general-purpose flag bits set (bit 0: encrypted)."""
    out = bytearray(data)
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = out.find(sig)
        while i >= 0:
            flags = struct.unpack_from("<H", out, i + at)[0] | bits
            struct.pack_into("<H", out, i + at, flags)
            i = out.find(sig, i + 4)
    return bytes(out)


def with_method(data: bytes, method: int) -> bytes:
    out = bytearray(data)
    for sig, at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        i = out.find(sig)
        while i >= 0:
            struct.pack_into("<H", out, i + at, method)
            i = out.find(sig, i + 4)
    return bytes(out)


def npy_member(header: dict | None = None, version=(1, 0), raw: bytes = b"") -> bytes:
    buf = io.BytesIO()
    buf.write(np.lib.format.magic(*version))
    if header is not None:
        text = repr(header).encode("latin1")
        text += b" " * (63 - len(text) % 64) + b"\n"
        buf.write(struct.pack("<H", len(text)) + text)
    return buf.getvalue() + raw


def f32(shape, value=0.0):
    return np.full(shape, value, np.float32)


VALID = good_arrays()
HOSTILE = {
    "not a zip": lambda: b"hello, I am not a model",
    "empty file": lambda: b"",
    "half a zip": lambda: model_bytes(a_model())[: len(model_bytes(a_model())) // 2],
    "zip without its end record": lambda: model_bytes(a_model())[:-22],
    "empty zip": lambda: zip_of({}),
    "member of text": lambda: member_replaced("w1.npy", b"just some text, not an array"),
    "member of one byte": lambda: member_replaced("b2.npy", b"\x93"),
    "npy version 3": lambda: member_replaced("b2.npy", npy_member({}, (3, 0))),
    "npy header cut off": lambda: member_replaced("b2.npy", npy_member(None)),
    "npy header not a dict": lambda: member_replaced("b2.npy", npy_member([1, 2])),
    "npy header bad descr": lambda: member_replaced(
        "b2.npy", npy_member({"descr": "<zz", "fortran_order": False, "shape": (10,)})
    ),
    "npy negative shape": lambda: member_replaced(
        "b1.npy", npy_member({"descr": "<f4", "fortran_order": False, "shape": (-8,)})
    ),
    "npy shape of text": lambda: member_replaced(
        "b1.npy", npy_member({"descr": "<f4", "fortran_order": False, "shape": "8"})
    ),
    "crc mismatch": lambda: flipped_in_member(zipfile.ZIP_STORED),
    "corrupt deflate": lambda: flipped_in_member(zipfile.ZIP_DEFLATED),
    "corrupt bzip2": lambda: flipped_in_member(zipfile.ZIP_BZIP2),
    "corrupt lzma": lambda: flipped_in_member(zipfile.ZIP_LZMA),
    "encrypted members": lambda: with_flag_bits(model_bytes(a_model()), 0x1),
    "unknown compression": lambda: with_method(model_bytes(a_model()), 99),
    "object info": lambda: npz_with(info=np.array([{"evil": 1}], dtype=object)),
    "object weights": lambda: npz_with(b2=np.array([None] * 10, dtype=object)),
    "int weights": lambda: npz_with(b2=np.zeros(10, np.int64)),
    "float16 weights": lambda: npz_with(w1=VALID["w1"].astype(np.float16)),
    "complex weights": lambda: npz_with(b1=np.zeros(8, np.complex64)),
    "bool weights": lambda: npz_with(b1=np.zeros(8, bool)),
    "structured weights": lambda: npz_with(b1=np.zeros(8, [("a", "<f4")])),
    "mixed dtypes": lambda: npz_with(w1=VALID["w1"].astype(np.float64)),
    "w1 one-dimensional": lambda: npz_with(w1=f32(784 * 8)),
    "w1 of 783 rows": lambda: npz_with(w1=f32((783, 8))),
    "no hidden units": lambda: npz_with(w1=f32((784, 0)), b1=f32(0), w2=f32((0, 10))),
    "b1 too long": lambda: npz_with(b1=f32(9)),
    "w2 of 9 classes": lambda: npz_with(w2=f32((8, 9))),
    "w1 three-dimensional": lambda: npz_with(w1=f32((784, 8, 1))),
    "missing w2": lambda: npz_with(w2=None),
    "missing info": lambda: npz_with(info=None),
    "extra member": lambda: npz_with(extra=f32(3)),
    "nan weight": lambda: npz_with(b1=f32(8, np.nan)),
    "inf weight": lambda: npz_with(w2=f32((8, 10), np.inf)),
    "weights overflowing the logits": lambda: npz_with(w2=f32((8, 10), 1e38)),
    "weights overflowing z": lambda: npz_with(w1=f32((784, 8), 1e36)),
    "scaling that overflows float32": lambda: npz_with(scaling=np.array([0.0, 1e-300])),
    "scaling making z overflow": lambda: npz_with(scaling=np.array([0.0, 1e-37])),
    "scaling offset inf": lambda: npz_with(scaling=np.array([np.inf, 1.0])),
    "scaling divisor 0": lambda: npz_with(scaling=np.array([0.0, 0.0])),
    "scaling divisor negative": lambda: npz_with(scaling=np.array([0.0, -1.0])),
    "scaling of 3 values": lambda: npz_with(scaling=np.array([0.0, 1.0, 2.0])),
    "scaling of text": lambda: npz_with(scaling=np.array(["0", "1"])),
    "unknown scaling name": lambda: npz_with(scaling_name=np.array("fancy")),
    "scaling name a number": lambda: npz_with(scaling_name=np.array(3.0)),
    "scaling name of bytes": lambda: npz_with(scaling_name=np.array(b"standard")),
    "info as a list of texts": lambda: npz_with(info=np.array(["{}", "{}"])),
    "info invalid JSON": lambda: info_json("{"),
    "info JSON list": lambda: info_json("[1, 2]"),
    "info JSON null": lambda: info_json("null"),
    "info JSON number": lambda: info_json("3"),
    "info JSON text": lambda: info_json('"a model"'),
    "info nested too deeply": lambda: info_json("[" * 50_000 + "]" * 50_000),
    "info integer of 5000 digits": lambda: info_json('{"test_accuracy": ' + "9" * 5000 + "}"),
    "info too long": lambda: info_json('{"data": "' + "x" * 200_000 + '"}'),
    "accuracy as text": lambda: info_json('{"test_accuracy": "0.9"}'),
    "accuracy above 1": lambda: info_json('{"test_accuracy": 97.5}'),
    "accuracy NaN": lambda: info_json('{"test_accuracy": NaN}'),
    "accuracy Infinity": lambda: info_json('{"test_accuracy": -Infinity}'),
    "accuracy true": lambda: info_json('{"test_accuracy": true}'),
    "accuracy a list": lambda: info_json('{"test_accuracy": [0.9]}'),
    "config a list": lambda: info_json('{"config": []}'),
    "config text": lambda: info_json('{"config": "fast"}'),
    "learning rate text": lambda: info_json('{"config": {"learning_rate": "fast"}}'),
    "learning rate negative": lambda: info_json('{"config": {"learning_rate": -1}}'),
    "learning rate zero": lambda: info_json('{"config": {"learning_rate": 0}}'),
    "learning rate false": lambda: info_json('{"config": {"learning_rate": false}}'),
    "data a number": lambda: info_json('{"data": 5}'),
    "run a list": lambda: info_json('{"run": ["a"]}'),
}


def duplicate_member() -> bytes:
    buf = io.BytesIO(model_bytes(a_model()))
    with zipfile.ZipFile(buf, "a") as z, pytest.warns(UserWarning, match="Duplicate"):
        z.writestr("b2.npy", good_member_bytes()["b2.npy"])
    return buf.getvalue()


HOSTILE["duplicate member"] = duplicate_member


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_model_file_is_a_model_file_error_with_a_sentence(tmp_path, case):
    path = tmp_path / "upload.npz"
    path.write_bytes(HOSTILE[case]())
    try:
        load_model(path)
    except ModelFileError as e:
        message = str(e)
    else:
        pytest.fail(f"{case}: accepted")
    assert message.startswith("upload.npz: ") and len(message) < 300


@pytest.mark.parametrize("source", ["missing.npz", "."])
def test_a_path_that_is_not_a_file_is_a_model_file_error(tmp_path, source):
    with pytest.raises(ModelFileError):
        load_model(tmp_path / source)


def test_an_accepted_model_has_the_info_types_the_pages_read(tmp_path):
    text = '{"test_accuracy": 1, "config": {"learning_rate": 2}, "later": [1], "data": "x"}'
    path = tmp_path / "m.npz"
    path.write_bytes(info_json(text))
    info = load_model(path).info
    assert isinstance(info, ModelInfo) and type(info.test_accuracy) is float
    assert info.learning_rate == 2 and info.data == "x" and info.run == ""


def test_a_model_without_a_measured_accuracy_or_rate_loads(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(info_json("{}"))
    info = load_model(path).info
    assert info.test_accuracy is None and info.learning_rate is None


# Saving never destroys: a failed save leaves the old file whole and keeps the new weights.
def failing_write(fail_times: int):
    """A stand-in for _write_npz that writes a little, then fails like a full disk."""
    calls = []
    real = model_module._write_npz

    def write(model, fp):
        calls.append(fp)
        if len(calls) <= fail_times:
            fp.write(b"PK\x03\x04 half a model")
            raise OSError(errno.ENOSPC, "No space left on device")
        real(model, fp)

    return write


def test_a_failed_save_keeps_the_old_file_and_says_where_the_new_weights_are(tmp_path, monkeypatch):
    old, new = a_model(8), a_model(16)
    path = tmp_path / "model.npz"
    save_model(old, path)
    before = path.read_bytes()
    monkeypatch.setattr(model_module, "_write_npz", failing_write(fail_times=1))
    with pytest.raises(ModelSaveError) as err:
        save_model(new, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left beside it
    message, kept = str(err.value), err.value.kept
    assert f"{path} is unchanged" in message and "No space left" in message
    assert f"kept in {kept}" in message
    assert load_model(kept).params.hidden_size == 16
    kept.unlink()


def test_a_save_that_cannot_keep_the_weights_anywhere_says_so(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    monkeypatch.setattr(model_module, "_write_npz", failing_write(fail_times=2))
    with pytest.raises(ModelSaveError, match="could not be kept either") as err:
        save_model(a_model(), path)
    assert err.value.kept is None and "was not written" in str(err.value)
    assert os.listdir(tmp_path) == []


def test_a_save_replaces_the_old_file(tmp_path):
    path = tmp_path / "model.npz"
    save_model(a_model(8), path)
    save_model(a_model(16), path)
    assert load_model(path).params.hidden_size == 16 and os.listdir(tmp_path) == ["model.npz"]
