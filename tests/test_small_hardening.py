"""Issue 27's small cases: each a sentence naming the problem, never a repr or a wrong guess."""

from __future__ import annotations

import io
import os
import stat
import struct

import pytest

from mlcore.config import MAX_INIT_SCALE, TrainConfig
from mlcore.model import ModelFileError, load_model, model_bytes, save_model
from runs.classroom import check_nickname
from ui.text import full_stop

from .test_model import a_model


def encrypted(data: bytes) -> bytes:
    """data (a zip) with every member marked encrypted, as a zip tool with a password does."""
    out = bytearray(data)
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(sig)
        while at != -1:
            (flags,) = struct.unpack_from("<H", out, at + flag_at)
            struct.pack_into("<H", out, at + flag_at, flags | 0x1)
            at = out.find(sig, at + 4)
    return bytes(out)


def test_an_encrypted_model_file_is_named_in_words_not_as_a_zipinfo():
    with pytest.raises(ModelFileError) as e:
        load_model(io.BytesIO(encrypted(model_bytes(a_model()))))
    assert "is encrypted" in str(e.value) and "ZipInfo" not in str(e.value)


def test_a_saved_model_is_readable_as_the_umask_allows_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        save_model(a_model(), tmp_path / "m.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.npz").stat().st_mode) == 0o644


@pytest.mark.parametrize("blank", ["\u3164", "\u2800\u2800", "\u3164 \u2800", "\uffa0"])
def test_a_nickname_that_only_looks_blank_is_refused_with_a_sentence(blank):
    with pytest.raises(ValueError, match="look blank"):
        check_nickname(blank)
    assert check_nickname("Ada \u3164") == "Ada \u3164"  # a filler beside a letter still shows


def test_an_init_scale_of_1e308_is_refused_naming_the_value():
    with pytest.raises(ValueError, match=r"init_scale.*1e\+308.*between 0 and 100"):
        TrainConfig(init_scale=1e308)
    assert TrainConfig(init_scale=MAX_INIT_SCALE).init_scale == MAX_INIT_SCALE


def test_a_reason_ending_in_a_question_mark_gets_no_full_stop_after_it():
    assert full_stop("diverged at iteration 3 — learning rate too high?") == ""
    assert full_stop("stopped") == "."
