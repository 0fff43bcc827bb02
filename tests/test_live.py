"""ui.live's timing helpers, with stand-in runs (only the fields they read)."""

import threading
import time
from types import SimpleNamespace

import pytest

from ui import live

FAKES = {}  # what the stand-in scheduler's get() answers: the run, as the test changes it


@pytest.fixture(autouse=True)
def stand_in_scheduler(monkeypatch):
    FAKES.clear()
    monkeypatch.setattr(live.state, "scheduler", lambda: SimpleNamespace(get=FAKES.get))


def fake_run(status="running"):
    run = SimpleNamespace(id=f"run{len(FAKES)}", status=status, history=[], active=True)
    FAKES[run.id] = run
    return run


def test_start_waits_for_the_first_report_and_no_longer(monkeypatch):
    monkeypatch.setattr(live, "FIRST_REPORT_WAIT", 5.0)  # a slow machine still passes
    run = fake_run()
    reported = SimpleNamespace(**{**vars(run), "history": ["first report"]})  # a new value
    threading.Timer(0.2, lambda: FAKES.update({run.id: reported})).start()
    start = time.monotonic()
    now = live.await_first(run)
    waited = time.monotonic() - start
    assert now.history and 0.15 < waited < 4.0  # returned at the report, not at the limit


def test_start_returns_at_once_for_a_queued_run_and_in_time_for_a_silent_one():
    start = time.monotonic()
    live.await_first(fake_run("waiting"))
    assert time.monotonic() - start < 0.3
    start = time.monotonic()
    live.await_first(fake_run())
    assert live.FIRST_REPORT_WAIT <= time.monotonic() - start < live.FIRST_REPORT_WAIT + 0.3


def test_pages_poll_more_slowly_as_more_runs_train(monkeypatch):
    counts = {"workers": 2, "running": 0, "waiting": 0}
    scheduler = SimpleNamespace(stats=lambda: counts)
    monkeypatch.setattr(live.state, "scheduler", lambda: scheduler)
    seen = []
    for running, waiting in [(1, 0), (2, 0), (2, 2), (2, 6), (2, 30)]:
        counts.update(running=running, waiting=waiting)
        seen.append(live.poll_seconds())
    assert seen == [1.0, 1.0, 2.0, live.POLL_SECONDS_MAX, live.POLL_SECONDS_MAX]


def test_a_poll_holds_for_a_run_about_to_end_and_not_for_one_far_from_it():
    run = fake_run()
    run.eta = lambda: 0.9
    ended = SimpleNamespace(**{**vars(run), "status": "finished"})  # a new value
    threading.Timer(0.2, lambda: FAKES.update({run.id: ended})).start()
    start = time.monotonic()
    now = live.await_end(run, poll=1.0)
    assert now.status == "finished" and time.monotonic() - start < 1.1  # at the end, not later
    paused = fake_run()
    paused.eta = lambda: 0.5
    paused.status = "paused"  # between turns: nothing to wait for
    start = time.monotonic()
    live.await_end(paused, poll=1.0)
    assert time.monotonic() - start < 0.1
    far = fake_run()
    far.eta = lambda: 30.0
    start = time.monotonic()
    live.await_end(far, poll=1.0)
    assert far.active and time.monotonic() - start < 0.1


def test_charts_are_drawn_light_only_while_more_runs_train_than_there_are_workers(monkeypatch):
    counts = {"workers": 2, "running": 0, "waiting": 0}
    scheduler = SimpleNamespace(stats=lambda: counts)
    monkeypatch.setattr(live.state, "scheduler", lambda: scheduler)
    seen = []
    for running, waiting in [(1, 0), (2, 0), (2, 1), (2, 6)]:
        counts.update(running=running, waiting=waiting)
        seen.append(live.light())
    assert seen == [False, False, True, True]


def labelled_run(run_id, kind="train", name="", **settings):
    from mlcore.train import TrainConfig

    return SimpleNamespace(id=run_id, kind=kind, name=name, config=TrainConfig(**settings))


def test_labels_name_only_the_setting_in_which_runs_differ_not_their_ids():
    naive, stable = live.labels([labelled_run("a1", softmax="naive"), labelled_run("b2")])
    assert (naive, stable) == ("naive softmax", "stable softmax")
    f64, f32 = live.labels([labelled_run("c3", dtype="float64"), labelled_run("d4")])
    assert (f64, f32) == ("float64", "float32")


def test_a_runs_name_comes_first_and_the_id_only_where_labels_would_read_the_same():
    runs = [labelled_run("a1", name="first try", learning_rate=0.5), labelled_run("b2"),
            labelled_run("c3"), labelled_run("d4", name="first try")]  # fmt: skip
    assert live.labels(runs) == ["first try · lr=0.5", "lr=0.05 · b2", "lr=0.05 · c3",
                                 "first try · lr=0.05"]  # fmt: skip
    assert live.labels([runs[1], runs[2]]) == [  # nothing differs: the settings, then ids
        "H=200 lr=0.05 batch=64 standardized · b2",
        "H=200 lr=0.05 batch=64 standardized · c3",
    ]


def test_the_legend_of_a_lesson_of_four_runs_is_short():
    """Issue 26: "… zero init mome…" was cut at the chart's edge."""
    runs = [labelled_run(f"{i:012x}", init="zeros", momentum=m, dtype=d)
            for i, (m, d) in enumerate([(0.9, "float32"), (0.0, "float64")])]  # fmt: skip
    assert live.labels(runs) == ["float32 momentum=0.9", "float64 momentum=0"]


def test_a_label_shows_a_setting_away_from_its_default_even_alone():
    assert "naive softmax" in live.label(labelled_run("a1", softmax="naive"))
    assert live.label(labelled_run("b2")) == "H=200 lr=0.05 batch=64 standardized (b2)"
    assert live.label(labelled_run("b2", name="mine")) == "mine (b2)"
