"""Glue for the Lessons page: its runs by id, the watched numbers, the range-test chart."""

from __future__ import annotations

import math
from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from mlcore import lessons as core  # core.BY_SLUG read when called (tests add lessons)
from mlcore.conclusion import signed_largest_logit, value_text
from mlcore.lessons import Lesson
from mlcore.range_test import RangeTest
from mlcore.spec import config_to_params
from mlcore.train import TrainConfig
from runs.scheduler import Run
from ui import charts, keys, state, train_settings
from ui.text import user_text
from ui.widgets import LEARNING_RATES

RUNS = keys.LESSON_RUNS  # {slug: {label: run id, RANGE: run id}}: the runs a lesson started
RANGE = "range test"
WATCH_NAMES = {
    "test_accuracy": "test accuracy",
    "train_loss": "training loss",
    "saturated_share": "saturated",
    "sigmoid_slope": "mean σ′",
    "max_abs_logit": "largest |logit| at the last report (its sign)",
    "distinct_units": "distinct units",
    "steps": "updates",
    "images_seen": "images seen",
}


def start(lesson: Lesson) -> None:
    """Submit the lesson's runs (and its range test) through the scheduler, all or none
    (LimitError says why). The Train page keeps its own run (and its Stop button)."""
    labels = [label for label, _ in lesson.runs] + ([RANGE] if lesson.range_test else [])
    configs = [(config, "train", lesson_tag(lesson, label)) for label, config in lesson.runs]
    if lesson.range_test:
        configs.append((lesson.runs[0][1], "range", lesson_tag(lesson, RANGE)))
    runs = state.start_runs(configs)
    ids = {label: run.id for label, run in zip(labels, runs, strict=True)}
    st.session_state.setdefault(RUNS, {})[lesson.slug] = ids


def invitation(open_slugs: tuple[str, ...] | None) -> str:
    """Home's way into the lessons: the lab's questions, or in class mode (open_slugs: the
    lessons the teacher left open) only those, by title: never a hidden one."""
    titles = [core.BY_SLUG[s].title for s in open_slugs or () if s in core.BY_SLUG]
    if not titles:
        return (
            "**New here?** The lessons are the lab's questions — why scale the pixels, why a "
            "stable softmax, which learning rate — each answered by a short experiment you run."
        )
    return (
        "**New here?** Your teacher has opened these lessons for the class, each a short "
        f"experiment you run: {'; '.join(titles)}."
    )


def missing_lesson_text(slug: str, shown: list[str]) -> str:  # shown: the slugs open
    """Why a lesson link shows the first lesson: hidden by the teacher, or no such lesson."""
    if slug in core.BY_SLUG:  # class mode leaves it out
        return (
            f"The lesson “{core.BY_SLUG[slug].title}” is hidden by your teacher for this "
            "class. Showing the first lesson open; the others open are in the list below."
        )
    return (
        f"There is no lesson called “{user_text(slug)}” here. Showing the first lesson; "
        f"the lessons are: {', '.join(shown)}."
    )


def runs_caption(lesson: Lesson) -> str:
    """The lesson's runs, the one setting they differ in, a yardstick's, and what to watch."""
    labels = " · ".join(label for label, _ in lesson.runs)
    text = f"Runs: {labels} — the same settings and seed except `{lesson.field}`"
    if lesson.reference:
        other = ", ".join(f"`{name}`" for name in lesson.other_fields())
        text += f" ({lesson.reference}, the yardstick: {other} instead)"
    watch = ", ".join(WATCH_NAMES.get(w, w) for w in lesson.watch)
    return (
        text
        + f". Watch: {watch}."
        + (" Then a learning-rate range test." if lesson.range_test else "")
    )


def lesson_tag(lesson: Lesson, label: str) -> str:
    """What a lesson's run records of it: "<slug>: <run label>" (the class view reads it)."""
    return f"{lesson.slug}: {label}"


def runs_of(lesson: Lesson) -> dict[str, Run]:
    """The runs this session started for lesson, by label (those the scheduler still has);
    after a reload, the workspace's latest run of each of the lesson's labels."""
    ids = st.session_state.get(RUNS, {}).get(lesson.slug)
    if ids is None:
        tags = {lesson_tag(lesson, label): label for label, _ in [*lesson.runs, (RANGE, None)]}
        ids = {tags[r.lesson]: r.id for r in state.runs() if r.lesson in tags}  # newest wins
    found = {label: state.scheduler().get(run_id) for label, run_id in ids.items()}
    return {label: run for label, run in found.items() if run is not None}


SPIKE = (
    5.0  # a loss above this (a first guess is ln 10 ≈ 2.3) puts the lesson's losses on a log axis
)


def log_loss(runs: list[Run]) -> bool:
    """Whether the runs' loss chart needs a log axis: a run's loss spiked past SPIKE (lr 10
    reaches thousands), which on a linear axis flattens every other curve onto the floor."""
    return any(p.train_loss > SPIKE for run in runs for p in run.history)  # nan, inf: > is False


def stop(lesson: Lesson) -> None:
    for run in runs_of(lesson).values():
        state.scheduler().stop(run.id, run.workspace)


def watched_rows(lesson: Lesson, runs: dict[str, Run]) -> list[dict]:
    """One row per training run: its latest value of each watched Progress field."""
    rows = []
    for label, _ in lesson.runs:
        run = runs.get(label)
        last = run.history[-1] if run is not None and run.history else None
        row = {"run": label, "status": "not started" if run is None else run.status}
        for name in lesson.watch:
            value = getattr(last, name, None) if last is not None else None
            if name == "test_accuracy" and run is not None:
                value = run.latest_test_accuracy
            if name == "max_abs_logit":  # its sign says whether exp can overflow
                value = signed_largest_logit(last)
            row[WATCH_NAMES.get(name, name)] = value_text(name, value)
        rows.append(row)
    return rows


def nearest_rate(rate: float) -> float:
    """The Train page's learning-rate choice closest to rate on a log scale."""
    return min(LEARNING_RATES, key=lambda r: abs(math.log(r / rate)))


def use_on_train_page(config: TrainConfig) -> None:
    """Put config into the Train page's settings (keys named as TrainConfig fields), go there."""
    train_settings.write(config)  # full batch: the widget's word "full"
    st.switch_page("pages/train.py", query_params=config_to_params(config))


def suggested_config(lesson: Lesson, result: RangeTest) -> TrainConfig:
    return replace(lesson.runs[0][1], learning_rate=nearest_rate(result.suggestion))


def use_rate_label(result: RangeTest, config: TrainConfig) -> str:
    """The range test's button: its suggestion as the conclusion writes it (0.17), and the
    Train page's nearest choice when that differs (0.2)."""
    label = f"Train with the suggested rate {result.suggestion:.2g}"
    if f"{result.suggestion:.2g}" != f"{config.learning_rate:g}":
        label += f" (the Train page's nearest choice: {config.learning_rate:g})"
    return label


def range_figure(result: RangeTest) -> go.Figure:
    """Smoothed loss against the learning rate (log axis), the suggested rate marked."""
    trace = dict(type="scatter", x=result.rates.tolist(), y=result.losses.tolist(),
                 mode="lines", name="smoothed loss", line=dict(color=charts.COLORS[0]))  # fmt: skip
    mark = dict(type="line", x0=result.suggestion, x1=result.suggestion, y0=0, y1=1,
                yref="paper", line=dict(color=charts.COLORS[3], dash="dash"))  # fmt: skip
    return charts._figure(
        [trace],
        f"Range test: suggested rate {result.suggestion:.2g}",
        "learning rate (log scale)",
        "loss",
        xaxis={"type": "log", "exponentformat": "none"},  # 0.0001, not "100μ"
        shapes=[mark],
    )
