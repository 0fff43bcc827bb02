"""Hints when a run goes wrong, each with a one-click fix: a changed TrainConfig.

Pure: a run's config and its reports in, hints out (none when nothing is wrong). The Train
page shows them under a finished run; the fix's button fills in the settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from mlcore.config import TrainConfig
from mlcore.progress import Progress

CHANCE = 0.2  # test accuracy below this after a whole run is "stuck near 10%"
# Share of saturated hidden pre-activations that stops learning, whatever the accuracy: the
# lab's own preset ends at ~47% with 97-100% saturated (the default 99% model: ~60%).
SATURATED = 0.9
GOOD_RATE = TrainConfig().learning_rate  # the default rate, measured to train its settings
# Full batch on standardized pixels wants a larger rate: the lab's preset with standardized
# pixels reached 26.9% at its 0.01 and 87.7% at 1.0 (20 steps, full MNIST, 2026-12-04).
FULL_BATCH_RATE = 1.0
STILL_FALLING = 0.05  # loss fell this share over the run's last fifth: not done learning
# ...unless test accuracy gained less than this over the same fifth (0.2 percentage points):
# then the training loss falls on images the network memorises, and more passes buy nothing.
TEST_FLAT = 0.002


@dataclass(frozen=True)
class Hint:
    """What went wrong (with the run's numbers) and the settings that fix it."""

    problem: str
    fix: str  # the button's words
    config: TrainConfig  # the settings the fix trains with
    action: str = "settings"  # "settings": fill them in for a new run; "continue": this run


def hints(config: TrainConfig, history: Sequence[Progress]) -> list[Hint]:
    """Hints for a run of config that ended with reports history (oldest first)."""
    if not history or not history[-1].done:
        return []
    last = history[-1]
    if last.diverged:
        return [_diverged(config, last)]
    found = [h for h in (_saturated(config, history), _symmetric(config, last)) if h]
    return found or [h for h in (_still_falling(config, history),) if h]


def _diverged(config: TrainConfig, last: Progress) -> Hint:
    if config.softmax == "naive" and "overflows" in last.reason:
        return Hint(
            f"{last.reason[:1].upper()}{last.reason[1:]}.",
            "Use the stable softmax",
            replace(config, softmax="stable"),
        )
    where = last.reason.removeprefix("diverged at ").split(" — ")[0]
    lower, why = safer_rate(config.learning_rate)
    return Hint(
        f"The run diverged at {where}: each step overshot and the loss blew up. {why}",
        f"Lower the learning rate to {lower:g}",
        replace(config, learning_rate=lower),
    )


def safer_rate(rate: float) -> tuple[float, str]:
    """A learning rate that takes smaller steps than rate, and why it was chosen: a tenth of
    rate, or GOOD_RATE where a tenth would still be far above it (10 after a diverged 100
    ended at 57%)."""
    tenth = rate / 10
    if tenth <= GOOD_RATE:
        return tenth, f"A tenth of the rate, {tenth:g}, takes smaller steps."
    return GOOD_RATE, (
        f"A tenth of the rate ({tenth:g}) would still overshoot; {GOOD_RATE:g} is the default "
        "rate, which trains the default settings to ~98%."
    )


def _saturated(config: TrainConfig, history: Sequence[Progress]) -> Hint | None:
    """Most hidden units saturated at the end, whatever the accuracy."""
    tested = [p.test_accuracy for p in history if p.test_accuracy is not None]
    saturated = history[-1].saturated_share
    if saturated is None or saturated < SATURATED:
        return None
    if not tested:
        where = "Ended"
    elif tested[-1] < CHANCE:
        where = f"Stuck at {100 * tested[-1]:.2f}% (chance is 10%)"
    else:
        where = f"Ended at {100 * tested[-1]:.2f}%"  # as the Test accuracy metric
    problem = (
        f"{where} with {100 * saturated:.1f}% of the hidden sigmoids saturated: their slope "
        "σ′ ≈ 0 passes almost no gradient back, so w1 barely learns."
    )
    if config.scale == "raw":
        return _scale_pixels(config, problem)
    if config.init_scale > 1:
        return Hint(problem, "Use the lab's initial weight scale", replace(config, init_scale=1.0))
    lower, why = safer_rate(config.learning_rate)
    return Hint(
        f"{problem} {why}",
        f"Lower the learning rate to {lower:g}",
        replace(config, learning_rate=lower),
    )


def _symmetric(config: TrainConfig, last: Progress) -> Hint | None:
    if config.hidden_size < 2 or last.distinct_units is None:
        return None
    if last.distinct_units > max(1, config.hidden_size // 50):
        return None
    return Hint(
        f"Only {last.distinct_units} of {config.hidden_size} hidden units differ: they started "
        "identical and got identical updates, so the layer acts like one unit.",
        "Use random initial weights",
        replace(config, init="lab", init_scale=config.init_scale or 1.0),
    )


def _still_falling(config: TrainConfig, history: Sequence[Progress]) -> Hint | None:
    """The training loss fell more than STILL_FALLING over the last fifth of the run, and
    test accuracy still rose there (TEST_FLAT): Continue trains the run as long again."""
    end = history[-1].iteration
    before = [p for p in history if p.iteration <= 0.8 * end]
    if not before or end < 2:
        return None
    start, stop = before[-1].train_loss, history[-1].train_loss
    if not stop < (1 - STILL_FALLING) * start:
        return None
    if _test_gain(before, history) < TEST_FLAT:
        return None
    return Hint(
        f"The training loss was still falling fast at the end ({start:.3f} → {stop:.3f} over "
        "the last fifth of the run) and test accuracy was still rising: it has more to learn.",
        f"Continue: {config.iterations} iterations more",
        replace(config, iterations=2 * config.iterations),
        action="continue",
    )


def _test_gain(before: Sequence[Progress], history: Sequence[Progress]) -> float:
    """Test accuracy's rise over the last fifth (reports after before[-1]); infinite if it
    was not measured on both sides (then the training loss alone decides)."""
    tested_before = [p.test_accuracy for p in before if p.test_accuracy is not None]
    tested_after = [p.test_accuracy for p in history[len(before) :] if p.test_accuracy is not None]
    if not tested_before or not tested_after:
        return float("inf")
    return max(tested_after) - tested_before[-1]


def _scale_pixels(config: TrainConfig, problem: str) -> Hint:
    """The fix for raw pixels: standardized ones (full batch: with FULL_BATCH_RATE)."""
    why = " Raw 0–255 pixels make z = x·w1 hundreds large; standardized pixels keep z near 0."
    fixed = replace(config, scale="standard")
    if config.batch_size is None and config.learning_rate < FULL_BATCH_RATE:
        fixed = replace(fixed, learning_rate=FULL_BATCH_RATE)
        why += (
            f" Full batch (one step per pass) on standardized pixels needs a larger rate, "
            f"{FULL_BATCH_RATE:g}: the lab's 20 steps then reached 87.7% (measured on full MNIST)."
        )
    return Hint(problem + why, "Scale the pixels (standardized)", fixed)
