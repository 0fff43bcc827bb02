"""The Lessons page through AppTest: chosen, linked, running, finished with its conclusion."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlcore import lessons
from mlcore.lessons import Lesson
from mlcore.range_test import RangeTest
from mlcore.train import TrainConfig
from runs.scheduler import get_scheduler
from ui import lessons as ui_lessons
from ui import live

from .conftest import ROOT
from .test_pages import current_run, light_charts, start_small_run
from .test_text import linkable

TINY = Lesson(
    slug="tiny",
    title="Tiny learning rates",
    question="Which rate?",
    field="learning_rate",
    runs=tuple(
        (f"lr {r:g}", TrainConfig(hidden_size=10, iterations=1, batch_size=1024, learning_rate=r))
        for r in (0.01, 0.5)
    ),
    watch=("test_accuracy", "train_loss"),
    line="{label}: {accuracy} after {steps}",  # "59 steps", "1 step"
    moral="Done.",
    range_test=True,
)


@pytest.fixture
def tiny_lessons(monkeypatch):
    """The real lessons plus TINY (a few seconds on full MNIST), first."""
    monkeypatch.setattr(lessons, "LESSONS", (TINY, *lessons.LESSONS))
    monkeypatch.setattr(lessons, "BY_SLUG", {"tiny": TINY, **lessons.BY_SLUG})


def open_lessons(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/lessons.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_lesson_link_opens_that_lesson_without_starting_it(tiny_lessons):
    at = open_lessons(lesson="zero-init")
    assert at.selectbox(key="lessons_choice").value == "zero-init"
    assert "All-zero weights" in at.selectbox(key="lessons_choice").format_func("zero-init")
    assert "Press **Run this lesson**" in at.info[0].value
    assert not get_scheduler().runs_of("no-session") or all(
        not r.active for r in get_scheduler().runs_of("no-session")
    )


def test_a_bad_lesson_link_says_so_and_shows_the_first_lesson(tiny_lessons):
    at = open_lessons(lesson="nope*")
    assert "There is no lesson called “nope\\*”" in at.warning[0].value
    assert at.selectbox(key="lessons_choice").value == "tiny"
    assert at.query_params["lesson"] == "tiny"


def test_a_lesson_link_holding_a_url_is_shown_inert_and_cut(tiny_lessons):
    at = open_lessons(lesson="http://127.0.0.1:9/" + "z" * 100_000)
    shown = at.warning[0].value
    found, length = linkable(shown), len(shown)  # (not the 100 KB text in a failure)
    assert not found
    assert length < 1_000 and "100,019 characters" in shown


def test_choosing_a_lesson_writes_it_into_the_address(tiny_lessons):
    at = open_lessons()
    at.selectbox(key="lessons_choice").set_value("batch-size").run()
    assert at.query_params["lesson"] == "batch-size"
    assert "except `batch_size`" in at.caption[-1].value


def test_one_button_races_the_runs_then_concludes_with_the_numbers_measured(
    tiny_lessons, monkeypatch
):
    monkeypatch.setattr(live, "light", lambda: True)  # as with more runs than workers
    at = open_lessons(lesson="tiny")
    at.button(key="lessons_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.button(key="lessons_stop").disabled is False  # running: Stop is offered
    assert len(light_charts(at)) == 2 and not at.get("plotly_chart")  # loss, accuracy: light
    deadline = time.monotonic() + 120
    while not at.success:
        assert time.monotonic() < deadline, "the lesson did not finish"
        time.sleep(0.3)
        at.run()
    assert not at.exception
    assert not light_charts(at)  # ended: Plotly again
    assert len(at.get("plotly_chart")) >= 2
    loss = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in loss["data"]] == ["lr 0.01", "lr 0.5"]  # the lesson's labels
    text = at.success[0].value
    # Both runs took the same steps (59 on full MNIST, 10 on the bundled sample).
    assert re.fullmatch(
        r"lr 0\.01: \d+\.\d\d% after (\d+) steps; lr 0\.5: \d+\.\d\d% after \1 steps\. Done\.", text
    )
    assert re.search(r"range test suggests a learning rate of about \S+; of the runs above, "
                     r"(0\.01|0\.5) learned best\.", at.success[1].value)  # fmt: skip
    assert at.button(key="lessons_start").disabled is False
    at.button(key="lessons_use_rate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["hidden_size"] == 10 and at.session_state["batch_size"] == 1024
    assert at.title[0].value == "Train the network"


def test_the_range_tests_button_quotes_its_suggestion_as_written_then_the_nearest_choice():
    result = RangeTest(np.array([1e-4, 1.0]), np.array([2.3, 2.0]), 0.1732)
    config = TrainConfig(learning_rate=ui_lessons.nearest_rate(result.suggestion))
    assert ui_lessons.use_rate_label(result, config) == (
        "Train with the suggested rate 0.17 (the Train page's nearest choice: 0.2)"
    )


def test_the_range_tests_rate_axis_has_plain_decimal_ticks_not_si_suffixes():
    result = RangeTest(np.array([1e-4, 1.0]), np.array([2.3, 2.0]), 0.1732)
    assert ui_lessons.range_figure(result).layout.xaxis.exponentformat == "none"  # not "100μ"


LONG = Lesson(
    slug="long",
    title="Long runs",
    question="Which rate?",
    field="learning_rate",
    runs=tuple(
        (f"lr {r:g}", TrainConfig(hidden_size=32, iterations=200, learning_rate=r))
        for r in (0.01, 0.5)
    ),
    watch=("train_loss",),
    line="{label}",
    moral="Done.",
    range_test=True,
)


@pytest.fixture
def long_lesson(monkeypatch):
    """LONG first: runs of minutes, still training whenever the test looks."""
    monkeypatch.setattr(lessons, "LESSONS", (LONG, *lessons.LESSONS))
    monkeypatch.setattr(lessons, "BY_SLUG", {"long": LONG, **lessons.BY_SLUG})
    yield
    for run in list(get_scheduler()._book.runs.values()):
        if run.active and run.spec.config.iterations == 200:
            get_scheduler().stop(run.id, run.workspace)


def test_a_lesson_past_the_limit_starts_none_of_its_runs_and_says_why(long_lesson, monkeypatch):
    at = start_small_run(iterations=200)
    train_run = current_run(at)
    scheduler = get_scheduler()
    monkeypatch.setattr(scheduler, "limits", replace(scheduler.limits, active_per_workspace=3))
    at.switch_page("pages/lessons.py").run()
    at.button(key="lessons_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = at.error[0].value
    assert "did not start" in said and "3 runs, and you already have 1" in said
    assert [r.id for r in scheduler.runs_of(train_run.workspace)] == [train_run.id]  # none started


def test_a_lesson_leaves_the_train_run_current_and_every_active_run_has_a_stop(long_lesson):
    at = start_small_run(iterations=200)
    train_run = current_run(at)
    at.switch_page("pages/lessons.py").run()
    assert at.button(key=f"lessons_active_{train_run.id}")  # the Train run: stoppable here
    at.button(key="lessons_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["current_run"] == train_run.id  # not taken over by the lesson
    lesson_ids = list(at.session_state["lessons_runs"]["long"].values())
    assert len(lesson_ids) == 3
    at.switch_page("pages/train.py").run()
    assert at.button(key="stop").disabled is False  # the Train run keeps its Stop
    for run_id in lesson_ids:  # and the lesson's runs are listed, each with its own
        assert at.button(key=f"train_active_{run_id}").disabled is False
    at.button(key=f"train_active_{lesson_ids[0]}").click().run()
    stopped = get_scheduler().get(lesson_ids[0])
    assert stopped.stopping or not stopped.active
    assert get_scheduler().get(lesson_ids[1]).active


def loss_layout(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]


def test_the_lessons_charts_plot_against_updates_images_or_seconds(long_lesson, monkeypatch):
    monkeypatch.setattr(live, "light", lambda: False)  # Plotly charts, whatever the server
    at = open_lessons(lesson="long")
    at.button(key="lessons_start").click().run()
    assert loss_layout(at)["xaxis"]["title"]["text"].startswith("iteration")
    at.radio(key="lessons_x_axis").set_value("images").run()
    assert loss_layout(at)["xaxis"]["title"]["text"] == "images seen"
    at.radio(key="lessons_x_axis").set_value("steps").run()
    assert loss_layout(at)["xaxis"]["title"]["text"] == "gradient steps (updates)"


def test_a_loss_spike_puts_the_lessons_loss_chart_on_a_log_axis(long_lesson, monkeypatch):
    def run_with(*losses):
        return SimpleNamespace(history=[SimpleNamespace(train_loss=x) for x in losses])

    assert not ui_lessons.log_loss([run_with(2.3, 0.3), run_with(2.3, float("nan"))])
    assert ui_lessons.log_loss([run_with(2.3, 0.3), run_with(2.3, 3000.0)])  # lr 10's spike
    monkeypatch.setattr(live, "light", lambda: False)
    at = open_lessons(lesson="long")
    at.button(key="lessons_start").click().run()
    assert loss_layout(at)["yaxis"].get("type") != "log"  # no spike yet
    monkeypatch.setattr(ui_lessons, "log_loss", lambda runs: True)
    at.run()
    assert loss_layout(at)["yaxis"]["type"] == "log"


def test_the_train_page_shows_the_settings_of_a_lessons_run_on_screen(long_lesson):
    """Issue 19: the Train page showed a lesson's run (the newest) under the default settings."""
    at = open_lessons(lesson="long")
    at.button(key="lessons_start").click().run()
    at.switch_page("pages/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "current_run" in at.session_state  # the run on screen is pinned to this tab
    assert at.select_slider(key="hidden_size").value == 32  # not the default 200
    assert at.select_slider(key="learning_rate").value == 0.01  # its first run's config
    assert at.slider(key="iterations").value == 200


def test_while_a_lesson_runs_its_own_runs_are_not_listed_among_your_other_runs(long_lesson):
    at = start_small_run(iterations=200)
    train_run = current_run(at)
    at.switch_page("pages/lessons.py").run()
    at.button(key="lessons_start").click().run()
    lesson_ids = list(at.session_state["lessons_runs"]["long"].values())
    keys = {b.key for b in at.button}
    assert f"lessons_active_{train_run.id}" in keys  # the Train page's run: listed
    assert not {f"lessons_active_{i}" for i in lesson_ids} & keys  # the rows below show them
    assert any("other runs training or waiting (1)" in c.value for c in at.caption)


@pytest.fixture
def class_of_one_lesson(monkeypatch):
    """Class mode with only the scaling lesson open (as the teacher's Class page sets it)."""
    from runs.classroom import ClassMode
    from ui import teacher

    monkeypatch.setattr(teacher, "class_mode", lambda: ClassMode(lessons=("scaling",)))


def test_a_link_to_a_lesson_the_teacher_hid_says_so(class_of_one_lesson):
    at = open_lessons(lesson="zero-init")
    said = at.warning[0].value
    assert "“All-zero weights: symmetry” is hidden by your teacher" in said
    assert "no lesson called" not in said
    assert at.selectbox(key="lessons_choice").value == "scaling"


def test_home_in_class_mode_names_only_the_lessons_the_teacher_left_open(class_of_one_lesson):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    invitation = next(m.value for m in at.markdown if "New here?" in m.value)
    assert "Raw pixels, [0, 1] or standardized?" in invitation
    assert "softmax" not in invitation and "learning rate" not in invitation


def test_the_naive_softmax_line_is_drawn_over_the_stable_one(monkeypatch):
    monkeypatch.setattr(live, "light", lambda: False)
    lesson = lessons.BY_SLUG["naive-softmax"]
    at = open_lessons(lesson="naive-softmax")
    at.button(key="lessons_start").click().run()
    try:
        traces = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
        z = {t["name"]: t["zorder"] for t in traces}
        naive, stable = (label for label, _ in lesson.runs)
        assert z[naive] > z[stable]
    finally:
        ui_lessons.stop(lesson)
