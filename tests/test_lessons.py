"""Lessons and presets as data: one field varies, conclusions quote the numbers measured."""

from __future__ import annotations

import itertools
import re
import warnings
from dataclasses import fields, replace
from types import SimpleNamespace

import numpy as np
import pytest

from mlcore.cli import parse_config
from mlcore.lessons import (
    BY_SLUG,
    LAB,
    LESSONS,
    PRESET_WORDS,
    PRESETS,
    Lesson,
    conclude,
    range_conclusion,
)
from mlcore.scaling import fit_scaling
from mlcore.train import Progress, TrainConfig, new_state, train
from ui.lessons import watched_rows
from ui.widgets import (
    BATCH_SIZES,
    HIDDEN_SIZES,
    LEARNING_RATES,
    MOMENTA,
    SCALE_LABELS,
    widget_value,
)

DOCUMENTED_FIELD = {
    "scaling": "scale",
    "naive-softmax": "softmax",
    "zero-init": "dtype",
    "learning-rate": "learning_rate",
    "batch-size": "batch_size",
    "hidden-units": "hidden_size",
}


def differing_fields(a: TrainConfig, b: TrainConfig) -> set[str]:
    return {f.name for f in fields(TrainConfig) if getattr(a, f.name) != getattr(b, f.name)}


def test_the_issues_six_lessons_are_there_with_unique_slugs():
    assert [lesson.slug for lesson in LESSONS] == list(DOCUMENTED_FIELD)
    assert set(BY_SLUG) == set(DOCUMENTED_FIELD)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.slug)
def test_each_lessons_runs_differ_in_exactly_the_documented_field(lesson):
    assert lesson.field == DOCUMENTED_FIELD[lesson.slug]
    configs = [config for _, config in lesson.varied()]
    for a, b in itertools.pairwise(configs):
        assert differing_fields(a, b) == {lesson.field}
    if lesson.reference:  # a yardstick: one other field, named on the page (other_fields)
        reference = dict(lesson.runs)[lesson.reference]
        twin = next(
            c for c in configs if getattr(c, lesson.field) == getattr(reference, lesson.field)
        )
        assert differing_fields(twin, reference) == set(lesson.other_fields())
        assert len(lesson.other_fields()) == 1 and reference.seed == twin.seed
    assert len({getattr(c, lesson.field) for c in configs}) == len(configs)
    assert len({c.seed for c in configs}) == 1


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.slug)
def test_each_lesson_watches_real_progress_fields(lesson):
    assert set(lesson.watch) <= {f.name for f in fields(Progress)}


def test_a_lesson_whose_field_is_not_a_setting_is_refused():
    with pytest.raises(ValueError, match="field='colour'"):
        Lesson("x", "X", "?", "colour", (("a", LAB), ("b", LAB)), (), "", "")


def report(**values) -> Progress:
    base = dict(iteration=1.0, batch=0, train_loss=0.5, train_accuracy=0.9, test_accuracy=None,
                elapsed=2.0, learning_rate=0.05)  # fmt: skip
    return Progress(**(base | values))


def test_the_scaling_conclusion_quotes_accuracy_steps_and_saturation():
    lesson = BY_SLUG["scaling"]
    histories = {
        "raw 0–255": [
            report(test_accuracy=0.3, steps=5),
            report(test_accuracy=0.467, saturated_share=0.97, steps=20, done=True),
        ],
        "[0, 1]": [report(test_accuracy=0.87, saturated_share=0.12, steps=20, done=True)],
    }
    text = conclude(lesson, histories)
    assert text.startswith(
        "raw 0–255: 46.70% after 20 steps with 97.0% of hidden activations saturated; "
        "[0, 1]: 87.00% after 20 steps with 12.0% of hidden activations saturated. Raw pixels"
    )
    assert "standardized" not in text  # a run without reports is left out


def test_a_diverged_run_is_concluded_with_its_reason_and_the_largest_logit_quoted():
    lesson = BY_SLUG["naive-softmax"]
    naive, stable = (label for label, _ in lesson.runs)
    reason = "loss is nan at iteration 4: a logit reached +91.0, past +88.7 where exp overflows"
    last = report(steps=3, diverged=True, done=True, reason=reason, max_abs_logit=207.8,
                  max_logit=61.0)  # fmt: skip
    histories = {
        naive: [last],
        stable: [
            report(max_abs_logit=50.0, max_logit=50.0),
            report(max_abs_logit=136.3, max_logit=136.3, test_accuracy=0.73, steps=20, done=True),
        ],
    }
    text = conclude(lesson, histories)
    assert f"{naive}: 3 steps done, then {reason}; " in text
    assert "its largest |logit| was -207.8 (negative: exp of it rounds to 0, harmless)" in text
    kept = f"{stable}: kept going to 73.00% after 20 steps; at the last report its largest "
    assert kept + "logit was 136.3 (past 88.7: exp of it overflows float32 without the max " in text
    assert "its largest |logit| 136.3 (positive: exp of it overflows float32, past 88.7)" in text


def test_the_logit_largest_in_size_keeps_its_sign_in_the_table():
    lesson = BY_SLUG["naive-softmax"]
    histories = {label: [report(max_abs_logit=207.8, max_logit=m, done=True)]
                 for (label, _), m in zip(lesson.runs, (61.0, 207.8), strict=True)}  # fmt: skip
    runs = {label: SimpleNamespace(history=h, latest_test_accuracy=None, status="finished")
            for label, h in histories.items()}  # fmt: skip
    table = [row["largest |logit| at the last report (its sign)"]
             for row in watched_rows(lesson, runs)]  # fmt: skip
    assert table == ["-207.8", "207.8"]


def test_the_naive_softmax_conclusion_quotes_the_tables_largest_logit():
    """Issue 19: the table said 207.8 (the last report), the conclusion 93.2 (another moment)."""
    lesson = BY_SLUG["naive-softmax"]
    histories = {
        label: [report(max_abs_logit=93.2), report(max_abs_logit=7.5, done=True, steps=9)]
        for label, _ in lesson.runs
    }
    runs = {label: SimpleNamespace(history=h, latest_test_accuracy=None, status="finished")
            for label, h in histories.items()}  # fmt: skip
    table = [row["largest |logit| at the last report (its sign)"]
             for row in watched_rows(lesson, runs)]  # fmt: skip
    text = conclude(lesson, histories)
    assert table == ["7.5", "7.5"] and "93.2" not in text and text.count("7.5") == 2


def test_the_naive_softmax_lesson_explains_its_clipped_loss_under_the_chart():
    note = BY_SLUG["naive-softmax"].loss_note
    assert "1e-12" in note and "below" in note


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.slug)
def test_every_template_fills_from_a_full_report_without_leftover_fields(lesson):
    last = report(test_accuracy=0.9123, saturated_share=0.5, sigmoid_slope=0.1, max_abs_logit=9.0,
                  max_logit=9.0,
                  distinct_units=1, steps=1876, images_seen=120_000, done=True)  # fmt: skip
    text = conclude(lesson, {label: [last] for label, _ in lesson.runs})
    assert "{" not in text and "–" not in text.replace("0–255", "")
    assert text.count("91.23%") == len(lesson.runs) or lesson.slug == "zero-init"


def test_the_range_conclusion_names_the_suggestion_and_the_best_runs_rate():
    lesson = BY_SLUG["learning-rate"]
    small, right, large = (label for label, _ in lesson.runs)
    histories = {
        small: [report(test_accuracy=0.80, done=True)],
        right: [report(test_accuracy=0.97, done=True)],
        large: [report(test_accuracy=0.20, done=True)],
    }
    assert range_conclusion(lesson, 0.1234, histories) == (
        "The range test suggests a learning rate of about 0.12; of the runs above, 0.05 "
        "learned best."
    )
    assert range_conclusion(lesson, 0.1234, {}).endswith("about 0.12.")


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_reachable_with_the_train_pages_widgets(name):
    p = PRESETS[name]
    assert p.hidden_size in HIDDEN_SIZES and p.learning_rate in LEARNING_RATES
    assert (
        widget_value("batch_size", p.batch_size) in BATCH_SIZES
        and p.momentum in MOMENTA
        and p.scale in SCALE_LABELS
    )
    assert 1 <= p.iterations <= 200 and 0 <= p.init_scale <= 5


def test_every_preset_has_a_cli_word_and_the_word_gives_its_config():
    assert set(PRESET_WORDS.values()) == set(PRESETS)
    for word, name in PRESET_WORDS.items():
        assert parse_config(["--preset", word]) == PRESETS[name]


def test_cli_flags_override_the_preset_and_only_the_flags_given():
    assert parse_config(["--preset", "lab", "--lr", "0.1"]) == replace(LAB, learning_rate=0.1)
    assert parse_config(["--iterations", "3"]) == TrainConfig(iterations=3)


def train_history(config: TrainConfig, data) -> list[Progress]:
    """The reports of one run of config on data (a Dataset), warnings as errors."""
    s = fit_scaling(config.scale, data.X_train)
    X, Xt = s.apply(data.X_train, config.dtype), s.apply(data.X_test, config.dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return list(train(config, new_state(config), X, data.y_train, Xt, data.y_test))


def run_lesson(lesson: Lesson, data) -> dict[str, list[Progress]]:
    return {label: train_history(config, data) for label, config in lesson.runs}


def test_the_naive_softmax_lesson_reaches_nan_at_a_reported_step_while_stable_goes_on(
    sample_mnist,
):
    lesson = BY_SLUG["naive-softmax"]
    naive, stable = (run_lesson(lesson, sample_mnist)[label] for label, _ in lesson.runs)
    last = naive[-1]
    assert last.diverged and np.isnan(last.train_loss)
    logit = float(re.search(r"a logit reached \+(\S+), past \+88\.7", last.reason)[1])
    assert logit > 88.7 and last.steps < lesson.runs[1][1].iterations
    said = conclude(lesson, {"naive exp(l)/Σexp(l)": naive})
    if last.max_abs_logit > 88.7:  # larger than the logit that overflowed, so negative
        assert f"was -{last.max_abs_logit:,.1f} (negative" in said
    assert stable[-1].done and not stable[-1].diverged
    assert all(np.isfinite(p.train_loss) for p in stable)
    assert max(p.max_abs_logit for p in stable) > 88.7  # the same logits, no overflow
    assert stable[-1].test_accuracy > 0.2  # it learns on (chance: 10%)


def test_the_zero_init_lesson_keeps_one_unit_in_float64_and_rounding_splits_float32(
    sample_mnist,
):
    lesson = BY_SLUG["zero-init"]  # one pass of its three runs (the lesson trains two)
    short = [(label, replace(config, iterations=1)) for label, config in lesson.runs]
    histories = run_lesson(replace(lesson, runs=tuple(short)), sample_mnist)
    assert {p.distinct_units for p in histories["zero init, float64"]} == {1}
    assert histories["zero init, float32"][-1].distinct_units > 1
    random = histories["random init, float32"][-1]  # the run the conclusion cites
    assert random.distinct_units == 200
    assert random.test_accuracy > histories["zero init, float32"][-1].test_accuracy
    assert "random init, float32: 200 distinct hidden units of 200" in conclude(lesson, histories)


def test_every_preset_says_what_it_measured_on_full_mnist_and_on_the_sample():
    from mlcore.lessons import PRESET_RESULTS, PRESET_WORDS

    assert set(PRESET_RESULTS) == set(PRESET_WORDS)
    for word, results in PRESET_RESULTS.items():
        assert set(results) == {"full", "sample"}, word
        assert all(r.endswith("%") and 0 < float(r[:-1]) <= 100 for r in results.values())


def test_the_scaling_lessons_table_and_conclusion_show_one_honest_figure_per_quantity():
    """Issue 19: "100.0%" saturated when 99.996% were; σ′ as 3.725e-05 beside 0.1814."""
    lesson = BY_SLUG["scaling"]
    raw, unit, standard = (label for label, _ in lesson.runs)
    values = {raw: (0.99996, 3.725e-05), unit: (0.4, 0.1814), standard: (0.2, 0.2)}
    histories = {
        label: [report(test_accuracy=0.5, saturated_share=s, sigmoid_slope=g, steps=1, done=True)]
        for label, (s, g) in values.items()
    }
    runs = {label: SimpleNamespace(history=h, latest_test_accuracy=0.5, status="finished")
            for label, h in histories.items()}  # fmt: skip
    rows = watched_rows(lesson, runs)
    assert [row["saturated"] for row in rows] == ["99.996%", "40.0%", "20.0%"]
    assert [row["mean σ′"] for row in rows] == ["0.000037", "0.18", "0.20"]
    text = conclude(lesson, histories)
    assert f"{raw}: 50.00% after 1 step with 99.996% of hidden" in text  # not "1 steps"


def test_the_zero_init_conclusion_counts_one_unit_in_the_singular():
    lesson = BY_SLUG["zero-init"]
    histories = {label: [report(distinct_units=1, steps=2, done=True)] for label, _ in lesson.runs}
    assert "1 distinct hidden unit of 200 after 2 steps" in conclude(lesson, histories)
