"""The "Inside the network" page through AppTest: each kind of model, its numbers checked."""

from __future__ import annotations

import base64
import itertools
import json
import re
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlcore.model import load_model
from runs.scheduler import get_scheduler

from .conftest import ROOT
from .test_pages import current_run, open_page, start_small_run, texts, wait_for_run

PAGE = "pages/inside.py"
DEFAULT = ROOT / "models" / "default.npz"


def figures(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def decode(values) -> np.ndarray:
    """A Plotly array from figure JSON: a list, or {"dtype", "bdata", "shape"} (Plotly >= 6)."""
    if isinstance(values, dict):
        flat = np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"])
        shape = [int(s) for s in str(values.get("shape", len(flat))).split(",")]
        return flat.reshape(shape)
    return np.asarray(values)


def confusion_counts(at: AppTest) -> np.ndarray:
    """The confusion matrix drawn on the page (counts mode)."""
    for fig in figures(at):
        if fig["layout"].get("xaxis", {}).get("title", {}).get("text") == "predicted digit":
            return decode(fig["data"][0]["z"])
    raise AssertionError("no confusion matrix on the page")


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def shown_report(at: AppTest) -> int | None:
    """The updates of the snapshot the page says it shows (a run still training)."""
    found = re.search(r"\(([\d,]+) updates?\); they update as it trains", texts(at))
    return None if found is None else int(found[1].replace(",", ""))


def open_inside(at: AppTest | None = None) -> AppTest:
    if at is None:
        return open_page(PAGE)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def forget_runs():
    """Forget the runs a test started: AppTest sessions share one id in the scheduler."""
    started = []
    yield started.append
    for run in started:
        get_scheduler().close_workspace(run.workspace)


def test_default_model_confusion_counts_sum_to_10000_and_diagonal_is_its_accuracy(full_mnist):
    at = open_inside()
    assert at.selectbox(key="inside_model").value == "default"
    counts = confusion_counts(at)
    assert counts.shape == (10, 10) and counts.sum() == 10_000
    accuracy = load_model(DEFAULT).info.test_accuracy
    assert np.trace(counts) / 10_000 == accuracy
    assert metric(at, "Test accuracy") == f"{100 * accuracy:.2f}%"
    np.testing.assert_array_equal(counts.sum(axis=1), np.bincount(full_mnist.y_test))


def test_default_model_gradient_check_shows_every_relative_error_below_1e_6(full_mnist):
    at = open_inside()
    at.button(key="inside_gradcheck_run").click().run()
    table = next(d.value for d in at.dataframe if "relative error" in d.value.columns)
    assert len(table) == 20  # 5 sampled weights of each of w1, b1, w2, b2
    assert set(table["weight"].str[:2]) == {"w1", "b1", "w2", "b2"}
    assert (table["relative error"] < 1e-6).all(), table
    assert "backprop is right" in at.success[0].value


def test_choosing_a_true_and_predicted_pair_fills_the_gallery_most_confident_first(full_mnist):
    at = open_inside()
    at.selectbox(key="inside_true").set_value(4)
    at.selectbox(key="inside_pred").set_value(9).run()
    n = int(confusion_counts(at)[4, 9])
    assert f"{n} images of a 4 read as a 9" in texts(at)
    captions = [c for img in at.get("image") for c in img.captions]
    assert len(captions) == min(n, 24) and all("4→9" in c for c in captions)
    shares = [float(c.rsplit(" ", 1)[1].rstrip("%")) for c in captions]
    assert shares == sorted(shares, reverse=True)


def test_hidden_units_are_paged_and_the_chosen_unit_is_drawn(full_mnist):
    at = open_inside()
    H = load_model(DEFAULT).params.w1.shape[1]
    pages = at.selectbox(key="inside_units_page").options
    assert len(pages) == -(-H // 100)
    at.selectbox(key="inside_sort").set_value("saturation")
    at.number_input(key="inside_unit").set_value(H - 1).run()
    assert not at.exception
    titles = [f["layout"].get("title", {}).get("text") for f in figures(at)]
    assert f"Unit {H - 1}: incoming weights" in titles


def test_one_digit_follows_a_test_image_or_the_drawn_digit(full_mnist):
    at = open_inside()
    at.number_input(key="inside_index").set_value(3).run()
    label = int(full_mnist.y_test[3])
    assert any(f"L &= -\\log \\hat y_{{{label}}}" in e.value for e in at.get("latex"))
    assert at.radio(key="inside_source").options == ["A test image"]
    at.session_state["draw_pixels"] = full_mnist.X_test[7].reshape(28, 28)
    at.run()
    at.radio(key="inside_source").set_value("The digit on the Draw page").run()
    at.selectbox(key="inside_meant").set_value(int(full_mnist.y_test[7])).run()
    assert not at.exception
    assert any(
        "your drawing" in (f["layout"].get("title", {}).get("text") or "") for f in figures(at)
    )


def test_a_finished_run_is_shown_with_its_own_accuracy(full_mnist, forget_runs):
    at = start_small_run(iterations=1)
    forget_runs(current_run(at))
    wait_for_run(at)
    run = current_run(at)
    open_inside(at)
    at.selectbox(key="inside_model").set_value(run.id).run()
    assert not at.exception
    assert confusion_counts(at).sum() == 10_000
    assert metric(at, "Test accuracy") == f"{100 * run.latest_test_accuracy:.2f}%"
    assert at.number_input(key="inside_unit").max == 31  # its 32 units, not the default's


def largest_confusion(at: AppTest) -> tuple[int, int]:
    counts = confusion_counts(at).astype(np.int64)
    off = counts * (1 - np.eye(10, dtype=np.int64))
    return tuple(int(v) for v in np.unravel_index(np.argmax(off), off.shape))


def shown_pair(at: AppTest) -> tuple[int, int]:
    return at.selectbox(key="inside_true").value, at.selectbox(key="inside_pred").value


def test_mistakes_open_on_the_largest_confusion_of_the_model_shown(full_mnist, forget_runs):
    at = start_small_run(iterations=1)
    forget_runs(current_run(at))
    wait_for_run(at)
    run = current_run(at)
    open_inside(at)
    at.selectbox(key="inside_model").set_value("default").run()
    default = largest_confusion(at)
    assert shown_pair(at) == default
    at.selectbox(key="inside_model").set_value(run.id).run()  # another model: its own
    assert shown_pair(at) == largest_confusion(at) != default
    at.selectbox(key="inside_true").set_value(4).run()
    at.selectbox(key="inside_pred").set_value(9).run()
    at.selectbox(key="inside_model").set_value("default").run()
    assert shown_pair(at) == (4, 9)  # a pair the student chose stays


def test_a_run_still_training_is_shown_and_updates_with_its_snapshots(full_mnist, forget_runs):
    at = start_small_run(iterations=200)  # long: stopped below
    run = current_run(at)
    forget_runs(run)
    try:
        deadline = time.monotonic() + 60
        while not run.usable:
            assert time.monotonic() < deadline, "no snapshot within 60 s"
            time.sleep(0.2)
            run = get_scheduler().get(run.id)
        open_inside(at)
        assert at.selectbox(key="inside_model").value == run.id  # preselected: it trains
        assert "report" not in texts(at)  # the scheduler's word, not a student's
        first = shown_report(at)
        run = get_scheduler().get(run.id)
        assert first is not None and first <= run.history[run.snapshot_at - 1].steps
        while run.history[run.snapshot_at - 1].steps == first:
            assert time.monotonic() < deadline + 30, "no new snapshot"
            time.sleep(0.2)
            run = get_scheduler().get(run.id)
        at.run()  # what the fragment's timer does in the browser
        assert not at.exception
        assert shown_report(at) > first
        assert get_scheduler().get(run.id).active and confusion_counts(at).sum() == 10_000
        cached = {k[:2] for k in at.session_state["inside_cache"]}
        assert {(run.id, first)} <= cached and len({k for k in cached if k[0] == run.id}) >= 2
    finally:
        get_scheduler().stop(run.id, run.workspace)
    deadline = time.monotonic() + 30
    while run.active and time.monotonic() < deadline:
        time.sleep(0.1)
        run = get_scheduler().get(run.id)
    at.run()
    assert not run.active and "updates as it trains" not in texts(at)


def test_an_uploaded_model_is_used_and_a_bad_file_is_named_keeping_the_old_model(full_mnist):
    at = open_inside()
    name = "![x](http://127.0.0.1:9/x.png).npz"  # Markdown would render this name
    at.file_uploader(key="inside_model_upload").set_value([(name, b"not a zip", "x")]).run()
    assert "cannot be used as a model" in at.error[0].value
    assert any(name in t.value for t in at.text)
    assert at.selectbox(key="inside_model").value == "default"
    assert confusion_counts(at).sum() == 10_000
    good = DEFAULT.read_bytes()
    at.file_uploader(key="inside_model_upload").set_value([("mine.npz", good, "x")]).run()
    assert not at.error and not at.exception
    assert at.selectbox(key="inside_model").value == "upload-1"
    assert np.trace(confusion_counts(at)) / 10_000 == load_model(DEFAULT).info.test_accuracy


def test_hidden_units_open_on_the_unit_the_outputs_listen_to_most(full_mnist):
    at = open_inside()
    w2 = load_model(DEFAULT).params.w2
    best = int(np.argmax(np.linalg.norm(w2, axis=1)))
    assert best != 0 and at.number_input(key="inside_unit").value == best
    titles = [f["layout"].get("title", {}).get("text") for f in figures(at)]
    assert f"Unit {best}: incoming weights" in titles
    assert "(left)" not in texts(at) and "(middle)" not in texts(at)  # true once stacked too


def test_compare_with_shows_no_other_model_as_a_label_not_a_placeholder(full_mnist):
    at = open_inside()
    compare = at.selectbox(key="inside_compare")
    assert compare.index == 0 and compare.options == ["(no other model)"]  # the default is shown


def test_saturation_caption_says_when_saturation_hurts_and_when_it_does_not(full_mnist):
    shown = texts(open_inside())
    assert "hurts at the start" in shown and "in a trained network it does not" in shown


def test_one_digits_tables_write_every_gradient_with_its_significant_digits(full_mnist):
    """Issue 19: a confident model's gradients read "-0.0001" or "0.00009" beside "-0.0009";
    each cell now shows two significant digits as a plain decimal."""
    at = open_inside()
    tables = [d.value for d in at.dataframe if d.value.columns[0] in ("unit", "weight")]
    assert len(tables) == 2
    for table in tables:
        for column in table.columns[1:]:
            for cell in table[column]:
                assert isinstance(cell, str) and "e" not in cell and float(cell) != 0, cell
                assert len(cell.lstrip("-0.").replace(".", "").replace(",", "")) >= 2, cell


def test_one_digits_tables_leave_room_for_their_toolbar_under_the_formulas(full_mnist):
    """Issue 19 (phone): a table's toolbar, always shown on touch, covered the formula above."""
    at = open_inside()

    def columns(node):
        for child in getattr(node, "children", {}).values():
            yield child
            yield from columns(child)

    found = 0
    for block in columns(at.main):
        elements = list(getattr(block, "children", {}).values())
        for before, element in itertools.pairwise(elements):
            if element.type == "dataframe" and element.value.columns[0] in ("unit", "weight"):
                assert before.type == "space", before.type
                found += 1
    assert found == 2


def test_the_saturation_metrics_never_round_to_a_false_100_percent():
    """Issue 19: a raw-pixel model read "100.0%" saturated and a mean σ' of "0.0001"."""
    from ui.inside import saturation_text

    z = np.full((100, 100), 10.0)
    z[0, :4] = 0.0  # 4 of 10,000 values on the sigmoid's slope
    assert saturation_text(z) == ("99.96%", "0.00015")
