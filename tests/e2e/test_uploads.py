"""In Chromium: Draw keeps a tab's newest uploaded model files and says which it let go."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from mlcore.model import Model, save_model
from mlcore.network import init_params
from mlcore.scaling import Scaling
from ui.picker import MAX_UPLOADED_MODELS

from .conftest import go_to, shot

pytestmark = pytest.mark.browser


def test_a_fourth_uploaded_model_lets_the_oldest_go_with_a_sentence(page, tmp_path):
    go_to(page, "Draw")
    page.get_by_text("Use a model file (.npz)").click()
    for i in range(MAX_UPLOADED_MODELS + 1):
        path = tmp_path / f"model-{i + 1}.npz"
        params = init_params(np.random.default_rng(i), 8)
        save_model(Model(params, Scaling("unit", 0.0, 255.0)), path)
        page.locator("input[type=file]").first.set_input_files(str(path))
        # The page has taken this file (it is the model picked) before the next replaces it
        # in the uploader: a fixed pause and "not running" could come before its upload ran.
        picked = re.compile(rf"^Uploaded model-{i + 1}\.npz")  # the combobox's input's value
        expect(page.get_by_role("combobox", name="Model")).to_have_value(picked, timeout=60_000)
    note = page.get_by_test_id("stAlert").filter(has_text="let go of")
    note.wait_for(timeout=30_000)
    assert "model-1.npz" in note.inner_text() and "model-2.npz" not in note.inner_text()
    shot(page, "draw-uploads-capped")
