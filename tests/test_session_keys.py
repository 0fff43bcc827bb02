"""Session-state keys: spelled once (ui/keys.py), one meaning and one type each."""

from __future__ import annotations

import ast
import json
from dataclasses import fields

import numpy as np

from mlcore.train import TrainConfig
from ui import keys

from .conftest import ROOT
from .test_inside_page import decode, open_inside

APP_CODE = [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]
FIELDS = {f.name for f in fields(TrainConfig)}  # the settings' keys are the config's fields


def literal_keys(tree: ast.AST) -> list[str]:
    """String constants used as st.session_state[...], its .get/.pop/.setdefault key, or in it."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("session_state"):
            key = node.slice
        elif isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-2:-1] == [
            "session_state"
        ]:
            key = node.args[0] if node.args else None
        elif isinstance(node, ast.Compare) and ast.unparse(node.comparators[0]).endswith(
            "session_state"
        ):
            key = node.left  # "key" in st.session_state
        else:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.append(key.value)
    return found


def test_no_page_spells_a_session_key_of_its_own():
    spelled = {
        path.name: [k for k in literal_keys(ast.parse(path.read_text())) if k not in FIELDS]
        for path in APP_CODE
    }
    assert {name: found for name, found in spelled.items() if found} == {}


def test_every_session_key_has_one_name():
    values = [v for k, v in vars(keys).items() if k.isupper()]
    assert len(values) == len(set(values)) > 40


def test_the_inside_page_follows_exactly_the_pixels_draw_read():
    """Draw keeps what the network saw as float32 0-255; Inside read it back as uint8,
    so it followed a slightly different digit (every fraction cut off)."""
    drawn = np.linspace(0, 255, 784, dtype=np.float32).reshape(28, 28) + np.float32(0.5)
    at = open_inside()
    at.session_state[keys.DRAWN_PIXELS] = drawn
    at.run()
    at.radio(key=keys.INSIDE_SOURCE).set_value("The digit on the Draw page").run()
    assert not at.exception
    (image,) = [
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "your drawing" in json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")
    ]
    np.testing.assert_array_equal(decode(image["data"][0]["z"]).reshape(28, 28), drawn)
