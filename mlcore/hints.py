"""Hints when a run goes wrong, each with a one-click fix: a changed TrainConfig.

Pure: a run's config and its reports in, hints out (none when nothing is wrong). The Train
page shows them under a finished run; the fix's button fills in the settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from mlcore.train import Progress, TrainConfig

CHANCE = 0.2  # test accuracy below this after a whole run is "stuck near 10%"
SATURATED = 0.9  # share of saturated hidden pre-activations that stops learning
STILL_FALLING = 0.05  # loss fell this share over the run's last fifth: not done learning


@dataclass(frozen=True)
class Hint:
    """What went wrong (with the run's numbers) and the settings that fix it."""

    problem: str
    fix: str  # the button's words
    config: TrainConfig


def hints(config: TrainConfig, history: Sequence[Progress]) -> list[Hint]:
    """Hints for a run of config that ended with reports history (oldest first)."""
    if not history or not history[-1].done:
        return []
    last = history[-1]
    if last.diverged:
        return [_diverged(config, last)]
    found = [h for h in (_stuck(config, history), _symmetric(config, last)) if h]
    return found or [h for h in (_still_falling(config, history),) if h]


def _diverged(config: TrainConfig, last: Progress) -> Hint:
    if config.softmax == "naive" and "overflows" in last.reason:
        return Hint(
            f"The loss became nan: {last.reason}.",
            "Use the stable softmax",
            replace(config, softmax="stable"),
        )
    lower = config.learning_rate / 10
    return Hint(
        f"The run diverged ({last.reason}): each step overshot. A smaller learning rate takes "
        "smaller steps.",
        f"Lower the learning rate to {lower:g}",
        replace(config, learning_rate=lower),
    )


def _stuck(config: TrainConfig, history: Sequence[Progress]) -> Hint | None:
    tested = [p.test_accuracy for p in history if p.test_accuracy is not None]
    saturated = history[-1].saturated_share
    if not tested or tested[-1] >= CHANCE or saturated is None or saturated < SATURATED:
        return None
    problem = (
        f"Stuck at {100 * tested[-1]:.1f}% (chance is 10%) with {100 * saturated:.0f}% of "
        "the hidden sigmoids saturated: their slope σ′ ≈ 0 passes no gradient."
    )
    if config.scale == "raw":
        return Hint(problem, "Standardize the pixels", replace(config, scale="standard"))
    if config.init_scale > 1:
        return Hint(problem, "Use the lab's initial weight scale", replace(config, init_scale=1.0))
    lower = config.learning_rate / 10
    return Hint(
        problem, f"Lower the learning rate to {lower:g}", replace(config, learning_rate=lower)
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
    """The training loss fell more than STILL_FALLING over the last fifth of the run."""
    end = history[-1].iteration
    before = [p for p in history if p.iteration <= 0.8 * end]
    if not before or end < 2:
        return None
    start, stop = before[-1].train_loss, history[-1].train_loss
    if not stop < (1 - STILL_FALLING) * start:
        return None
    more = min(200, 2 * config.iterations)
    return Hint(
        f"The training loss was still falling fast at the end ({start:.3f} → {stop:.3f} over "
        "the last fifth of the run): it has more to learn.",
        f"Train for {more} iterations",
        replace(config, iterations=more),
    )
