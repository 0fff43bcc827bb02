"""Each page through Streamlit's AppTest: widgets present, results shown, errors named."""

from __future__ import annotations

import gzip
import struct
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from runs.scheduler import get_scheduler
from ui import live

from .conftest import ROOT
from .test_text import linkable

APP = str(ROOT / "app.py")


def open_page(page: str | None = None, query: dict | None = None) -> AppTest:
    """A new session (the address's query parameters first), switched to page if given."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for kind in ("info", "success", "warning", "error") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def current_run(at: AppTest):
    """The run the Train page shows (the scheduler lives in this process with AppTest)."""
    return get_scheduler().get(at.session_state["current_run"])


def wait_for_run(at: AppTest, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while current_run(at).active:
        assert time.monotonic() < deadline, "training did not finish"
        time.sleep(0.2)
        at.run()
    at.run()


def test_home_shows_the_active_data_and_its_sizes(full_mnist):
    at = open_page()
    assert at.title[0].value == "MNIST Backprop Lab"
    assert "60,000 training and 10,000 test images" in texts(at)
    assert at.file_uploader(key="upload") is not None


def test_home_without_data_uses_the_sample_and_downloads_full_mnist(
    server,
    tmp_path,
    monkeypatch,
):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("MNIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_MIRRORS", f"{server}/missing/ {server}/good/")
    at = open_page()
    assert "Bundled sample of MNIST" in texts(at)
    at.button(key="download").click().run()
    assert not at.exception and not at.error
    assert "Full MNIST (downloaded)" in texts(at)
    assert "60,000 training and 10,000 test images" in texts(at)
    assert not [b for b in at.button if b.key == "download"]  # nothing left to download


def test_home_reports_a_failed_download_and_keeps_working(server, tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("MNIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_MIRRORS", f"{server}/corrupt/")
    at = open_page()
    at.button(key="download").click().run()
    assert "checksum mismatch" in at.error[0].value.replace("\\", "")  # names are escaped
    assert "Bundled sample of MNIST" in texts(at)
    assert list((tmp_path / "cache").iterdir()) == []


def idx(array: np.ndarray) -> bytes:
    dims = struct.pack(f">{array.ndim}I", *array.shape)
    magic = 2051 if array.ndim == 3 else 2049
    return gzip.compress(struct.pack(">i", magic) + dims + array.astype(np.uint8).tobytes())


def upload_files(data, n_train: int = 50, n_test: int = 20) -> list[tuple[str, bytes, str]]:
    """The four MNIST files, as the Home page's uploader takes them, from data's first rows."""
    images = data.X_train[:n_train].reshape(-1, 28, 28)
    arrays = {
        "train-images-idx3-ubyte.gz": images,
        "train-labels-idx1-ubyte.gz": data.y_train[:n_train],
        "t10k-images-idx3-ubyte.gz": images[:n_test],
        "t10k-labels-idx1-ubyte.gz": data.y_train[:n_test],
    }
    return [(name, idx(a), "application/gzip") for name, a in arrays.items()]


def light_charts(at: AppTest) -> list[str]:
    """The live charts the page drew light (ui/light_chart), as their HTML."""
    return [m.value for m in at.markdown if "data-live-chart" in m.value]


def start_small_run(iterations: int) -> AppTest:
    """The Train page just after Start of a 32-unit run of `iterations`."""
    at = open_page("pages/train.py")
    at.select_slider(key="hidden_size").set_value(32)
    at.slider(key="iterations").set_value(iterations)
    at.button(key="start").click().run()
    return at


def test_home_accepts_four_uploaded_files_and_names_a_bad_one(sample_mnist):
    files = upload_files(sample_mnist)
    at = open_page()
    at.file_uploader(key="upload").set_value([*files[:3], (files[3][0], b"oops", "x")]).run()
    assert "t10k-labels-idx1-ubyte.gz: not a gzip file" in at.error[0].value.replace("\\", "")
    assert "Your uploaded files" not in texts(at)
    at.file_uploader(key="upload").set_value(files).run()
    assert not at.error
    assert "Your uploaded files" in texts(at) and "50 training and 20 test images" in texts(at)


def test_train_page_has_its_widgets_with_the_cores_defaults():
    at = open_page("pages/train.py")
    assert at.select_slider(key="hidden_size").value == 200
    assert at.select_slider(key="learning_rate").value == 0.05
    assert at.slider(key="iterations").value == 8
    assert {"batch_size", "scale", "init", "preset"} <= {box.key for box in at.selectbox}
    assert at.selectbox(key="augment").value == "none"
    charts = [c.proto.spec for c in at.get("plotly_chart")]  # no preview: only empty axes
    assert len(charts) == 2 and all('"data":[]' in c for c in charts)
    assert "Training loss" in charts[0] and "Accuracy" in charts[1]
    assert at.button(key="stop").disabled and at.button(key="continue").disabled
    assert "press **Start**" in texts(at)


def test_a_short_training_run_fills_the_charts_metrics_and_runs_table():
    at = start_small_run(iterations=1)
    wait_for_run(at)
    run = current_run(at)
    assert run.status == "finished"
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # loss, accuracy (gradients and saturation: the other view)
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Test accuracy"].rstrip("%")) > 80
    assert "finished 1 iteration." in at.success[0].value  # not "1 iterations"
    assert metrics["Done"] == "1 of 1 pass"  # not "1 / 1", not "1 of 1 passes"
    assert at.get("download_button")
    table = at.dataframe[0].value
    assert table["status"].tolist() == ["finished"] and table["hidden"].tolist() == [32]
    assert table["softmax"].tolist() == ["stable"] and table["precision"].tolist() == ["float32"]


def test_plus_one_iteration_and_step_after_a_finished_run_continue_that_run():
    """Issue 19: they started a new run from scratch (96.01% → 95.23%)."""
    at = start_small_run(iterations=1)
    wait_for_run(at)
    run = current_run(at)
    steps = run.history[-1].steps
    at.button(key="plus_iteration").click().run()
    wait_for_run(at)
    first, run = run, current_run(at)
    assert run.id == first.id and len(get_scheduler().runs_of(run.workspace)) == 1
    assert run.status == "finished" and run.history[-1].iteration == 2  # one iteration more
    assert run.history[-1].steps == 2 * steps and run.config.iterations == 2
    at.button(key="step").click().run()
    wait_for_run(at)
    run = current_run(at)
    assert run.id == first.id and run.history[-1].steps == 2 * steps + 1


def test_a_step_past_a_finished_full_batch_run_shows_what_it_changed():
    """Seen in a trial: the Step that ends a run (full batch: one step is one iteration)
    said only "finished 2 iterations", no panel."""
    at = open_page("pages/train.py")
    at.selectbox(key="batch_size").set_value("full")
    at.select_slider(key="hidden_size").set_value(32)
    at.slider(key="iterations").set_value(1)
    at.button(key="start").click().run()
    wait_for_run(at)
    at.button(key="step").click().run()
    deadline = time.monotonic() + 60
    while (run := current_run(at)).active or run.last_step is None:
        assert time.monotonic() < deadline, "the step did not end"
        time.sleep(0.1)
    at.run()
    assert run.status == "finished" and run.history[-1].steps == 2
    assert {"Batch loss after the step", "‖Δw1‖"} <= {m.label for m in at.metric}


def test_step_after_a_diverged_run_says_why_it_cannot_go_on():
    at = open_page("pages/train.py")
    at.selectbox(key="batch_size").set_value("full")
    at.select_slider(key="learning_rate").set_value(1000.0)
    at.selectbox(key="scale").set_value("raw")
    at.slider(key="iterations").set_value(30)
    at.button(key="start").click().run()
    wait_for_run(at)
    run = current_run(at)
    assert run.status == "diverged"
    at.button(key="step").click().run()
    assert current_run(at).id == run.id and len(get_scheduler().runs_of(run.workspace)) == 1
    assert "cannot go on" in at.error[0].value and "Start" in at.error[0].value


def test_a_diverging_run_says_why_and_offers_no_model():
    at = open_page("pages/train.py")
    at.selectbox(key="batch_size").set_value("full")
    at.select_slider(key="learning_rate").set_value(1000.0)
    at.selectbox(key="scale").set_value("raw")
    at.slider(key="iterations").set_value(30)
    at.button(key="start").click().run()
    wait_for_run(at)
    assert current_run(at).status == "diverged"
    assert "learning rate too high?" in at.error[0].value
    assert "?." not in at.error[0].value.replace("\\", "")  # one mark ends the sentence
    assert [b.key for b in at.get("download_button")] == ["download_csv"]  # no model


def test_stop_then_continue_finishes_the_run():
    at = start_small_run(iterations=30)  # long enough that Stop finds it training
    at.button(key="stop").click().run()
    run = current_run(at)
    deadline = time.monotonic() + 30
    while run.active and time.monotonic() < deadline:  # it stops at its next report
        time.sleep(0.05)
        run = current_run(at)
    at.run()
    assert run.status == "stopped" and run.continuable
    stopped_at = run.history[-1].iteration if run.history else 0
    assert stopped_at < 30
    at.button(key="continue").click().run()
    wait_for_run(at)
    run = current_run(at)
    assert run.status == "finished" and run.history[-1].iteration == 30


def test_choosing_augmentation_previews_what_the_network_is_shown():
    at = open_page("pages/train.py")
    at.selectbox(key="augment").set_value("elastic").run()
    assert not at.exception
    assert [e.label for e in at.expander] == ["Settings", "What the network is shown"]
    chart = at.get("plotly_chart")[0]  # then the empty axes of the charts to come
    assert "7 distortions" in chart.proto.spec
    assert at.query_params["augment"] == "elastic"  # the link keeps it


def test_augmentation_with_full_batch_says_why_it_cannot_start():
    at = open_page("pages/train.py")
    at.selectbox(key="augment").set_value("affine")
    at.selectbox(key="batch_size").set_value("full").run()
    at.button(key="start").click().run()
    assert "augment='affine' needs mini-batches" in at.error[0].value.replace("\\", "")


def test_presets_fill_in_the_labs_settings():
    at = open_page("pages/train.py")
    at.selectbox(key="preset").set_value("The lab: raw pixels, full batch, lr 0.01").run()
    assert at.selectbox(key="batch_size").value == "full"
    assert at.selectbox(key="scale").value == "raw"
    assert at.select_slider(key="learning_rate").value == 0.01
    assert at.slider(key="iterations").value == 20


def test_the_full_batch_choice_shows_its_label_not_choose_an_option():
    """Issue 19: a None option renders as the placeholder "Choose an option"."""
    at = open_page("pages/train.py")
    at.selectbox(key="preset").set_value("The lab: raw pixels, full batch, lr 0.01").run()
    batch = at.selectbox(key="batch_size")
    assert batch.index is not None and batch.options[batch.index] == "full batch (the lab)"
    assert at.query_params["batch_size"] == "full"


def test_the_preset_says_custom_once_a_setting_differs_and_drops_its_measured_accuracy():
    at = open_page("pages/train.py")
    assert at.selectbox(key="preset").value == "Quick start: the defaults"
    assert "Measured: " in texts(at)
    at.select_slider(key="hidden_size").set_value(32).run()
    assert at.selectbox(key="preset").value.startswith("custom")
    assert "Measured: " not in texts(at)
    at.select_slider(key="hidden_size").set_value(200).run()  # the preset's settings again
    assert at.selectbox(key="preset").value == "Quick start: the defaults"


def test_softmax_and_precision_have_controls_with_help_and_reach_the_link():
    at = open_page("pages/train.py")
    assert at.radio(key="softmax").help and at.radio(key="dtype").help
    at.radio(key="softmax").set_value("naive")
    at.radio(key="dtype").set_value("float64").run()
    assert at.query_params["softmax"] == "naive" and at.query_params["dtype"] == "float64"


def softmax_tables(at: AppTest) -> dict[str, np.ndarray]:
    """The softmax page's result tables, in page order after the logits editor."""
    names = ("naive", "naive_exp", "stable", "stable_exp")
    return {
        n: d.value.to_numpy().astype(float) for n, d in zip(names, at.dataframe[1:], strict=True)
    }


def test_softmax_page_shows_nan_for_naive_and_0_1_for_stable_on_c():
    at = open_page("pages/softmax.py")
    at.radio(key="softmax_preset").set_value("c = [1, 1000]").run()
    tables = softmax_tables(at)
    naive, stable = tables["naive"], tables["stable"]
    assert np.isnan(naive).any()
    assert np.isinf(tables["naive_exp"]).any() and tables["stable_exp"].max() == 1.0
    np.testing.assert_array_equal(stable, [[0.0, 1.0]])
    errors = " ".join(e.value for e in at.error)
    assert "overflow encountered in exp" in errors
    assert "invalid value encountered" in errors


def test_softmax_page_on_the_labs_a_matches_its_printed_values():
    at = open_page("pages/softmax.py")
    stable = softmax_tables(at)["stable"]
    np.testing.assert_allclose(stable[0], [0.28140804, 0.46396343, 0.25462853], atol=1e-8)
    assert len(at.get("plotly_chart")) == 2


def test_softmax_in_float32_breaks_at_a_smaller_logit():
    at = open_page("pages/softmax.py")
    at.radio(key="softmax_preset").set_value("b = [1, 20]").run()
    at.select_slider(key="softmax_scale").set_value(5.0).run()  # [5, 100]
    assert not np.isnan(softmax_tables(at)["naive"]).any()
    at.radio(key="softmax_dtype").set_value("float32").run()
    assert np.isnan(softmax_tables(at)["naive"]).any()


def test_draw_page_with_nothing_drawn_shows_the_prompt():
    at = open_page("pages/draw.py")
    assert "Draw a digit on the canvas" in texts(at)
    assert not at.metric
    canvas = [e for e in at.get("bidi_component") if getattr(e, "key", None) == "digit_canvas"]
    assert canvas or any(
        "digit_canvas" in str(getattr(e, "id", "")) for e in at.get("bidi_component")
    )
    assert at.selectbox(key="draw_model").value == "default"


@pytest.mark.parametrize(
    "page",
    ["pages/home.py", "pages/train.py", "pages/softmax.py", "pages/draw.py", "pages/inside.py"],
)
def test_every_page_runs_without_an_exception(page):
    at = open_page(page)
    assert not at.exception


def test_a_wrong_mnist_dir_is_named_and_the_sample_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "nowhere"))
    at = open_page()
    assert "nowhere does not hold the four MNIST files" in at.sidebar.error[0].value
    assert "Bundled sample of MNIST" in texts(at)


def test_draw_page_takes_an_uploaded_model_and_names_a_bad_file_keeping_its_model():
    at = open_page("pages/draw.py")
    good = (ROOT / "models" / "default.npz").read_bytes()
    name = "![i](http://127.0.0.1:9/x.png).npz"  # a name that Markdown would render
    at.file_uploader(key="draw_model_upload").set_value([(name, b"not a zip", "x")]).run()
    assert "cannot be used as a model" in at.error[0].value
    assert any(name in t.value for t in at.text)  # shown as plain text
    assert not any(name in m.value for m in at.markdown)
    assert at.selectbox(key="draw_model").value == "default"  # the model it had
    at.file_uploader(key="draw_model_upload").set_value([("mine.npz", good, "x")]).run()
    assert not at.error
    assert at.selectbox(key="draw_model").value == "upload-1"


def test_step_does_one_gradient_step_and_shows_what_it_changed():
    at = open_page("pages/train.py")
    at.select_slider(key="hidden_size").set_value(32)
    at.button(key="step").click().run()
    run = current_run(at)
    deadline = time.monotonic() + 60
    while run.active or run.last_step is None:
        assert time.monotonic() < deadline, "the step did not end"
        time.sleep(0.1)
        run = current_run(at)
    at.run()
    assert run.status == "paused" and run.history[-1].steps == 1
    first = run.id
    metrics = {m.label: m for m in at.metric}
    after = metrics["Batch loss after the step"]  # not "Batch loss" beside "Training loss"
    assert float(after.value) == pytest.approx(run.last_step.loss_after, abs=1e-4)
    loss = metrics["Training loss (this batch)"]  # not the mean over batches it showed before
    assert f"Before the step: {loss.value}, the training loss" in after.help
    assert {"‖Δw1‖", "‖Δb1‖", "‖Δw2‖", "‖Δb2‖"} <= set(metrics)
    at.button(key="step").click().run()  # a second step continues the same run
    deadline = time.monotonic() + 60
    while run.active or run.history[-1].steps < 2:
        assert time.monotonic() < deadline, "the second step did not end"
        time.sleep(0.1)
        run = current_run(at)
    assert [r.id for r in get_scheduler().runs_of(run.workspace)] == [first]  # the same run
    assert run.history[-1].steps == 2


def test_the_live_charts_include_gradients_and_saturation_and_an_x_axis_switch():
    at = start_small_run(iterations=1)
    wait_for_run(at)
    at.radio(key="train_x_axis").set_value("images").run()
    learning = [c.proto.spec for c in at.get("plotly_chart")]
    at.radio(key="train_view").set_value("inside").run()
    inside = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(learning) == len(inside) == 2  # only the charts shown are drawn
    assert "Training loss" in learning[0] and "Gradient size per layer" in inside[0]
    assert "Saturated sigmoids" in inside[1]
    assert sum("images seen" in t for t in learning + inside) == 4
    assert at.get("download_button")  # the model and the CSV of every run


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"iterations": "1000"}, "iterations=1000 is outside the page's range"),
        ({"hidden_size": "123"}, "hidden_size=123 is not one of the page's choices"),
        ({"learning_rate": "[x](http://127.0.0.1:9/)"}, "learning_rate="),
    ],
)
def test_a_link_with_a_value_no_widget_can_show_is_named_and_the_default_kept(query, named):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/train.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    message = at.error[0].value.replace("\\", "")
    assert named in message
    assert "](" not in at.error[0].value.replace("\\]\\(", "")  # escaped, not a link
    assert at.slider(key="iterations").value == 8
    assert at.select_slider(key="hidden_size").value == 200


def open_train_link(work: str | None = None, **query) -> AppTest:
    """Train opened by a link with query's settings; in workspace `work` (a token) if given."""
    at = AppTest.from_file(APP, default_timeout=60)
    if work is not None:
        at.query_params["work"] = work
    at.run()
    at.switch_page("pages/train.py")
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("value", ["inf", "1e308", "nan"])
def test_a_link_with_an_infinite_or_huge_init_scale_is_named_and_the_default_kept(value):
    at = open_train_link(init_scale=value)
    assert "init_scale=" in at.error[0].value.replace("\\", "")
    assert at.slider(key="init_scale").value == 1.0


def test_a_url_or_a_100kb_value_in_a_link_is_shown_inert_and_cut():
    at = open_train_link(learning_rate="http://127.0.0.1:9/x " + "y" * 100_000, seed="www.a.b")
    shown = at.error[0].value
    found, length = linkable(shown), len(shown)  # (not the 100 KB text in a failure)
    assert not found
    assert length < 1_000 and "100,021 characters" in shown


def test_a_link_opens_its_settings():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/train.py")
    at.query_params.update({"hidden_size": "50", "learning_rate": "0.1", "batch_size": "full"})
    at.run()
    assert not at.error
    assert at.select_slider(key="hidden_size").value == 50
    assert at.select_slider(key="learning_rate").value == 0.1
    assert at.selectbox(key="batch_size").value == "full"


def test_a_busy_server_draws_the_live_charts_light_until_the_run_ends(monkeypatch):
    monkeypatch.setattr(live, "light", lambda: True)  # as with more runs than workers
    at = start_small_run(iterations=200)  # minutes: still training when stopped below
    run = current_run(at)
    assert run.active
    drawn = light_charts(at)
    assert len(drawn) == 2 and not at.get("plotly_chart")
    assert "Training loss" in drawn[0] and "Accuracy" in drawn[1]
    assert live.LIGHT_NOTE in texts(at)
    at.button(key="stop").click().run()
    wait_for_run(at, timeout=30)
    assert len(at.get("plotly_chart")) == 2  # ended: interactive again
    assert not light_charts(at)


def test_a_download_does_not_rerun_the_page_so_its_file_is_not_dropped():
    """Streamlit clears a session's outgoing messages when a full run starts: a click that
    also reran the page could lose the built file's answer (the button spun for minutes)."""
    at = start_small_run(iterations=1)
    wait_for_run(at)
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == [
        "Download this model (.npz)",
        "Download every run's history (.csv)",
    ]
    assert all(b.proto.ignore_rerun for b in buttons)
