"""The numbers a lesson's conclusion quotes, from the runs just measured: each watched
Progress field as the lessons write it (value_text, in their tables too), the logits with
their sign, and one run's summary (the keys its template fills; mlcore.lessons.conclude)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from mlcore.config import TrainConfig
from mlcore.progress import Progress
from mlcore.wording import counted, honest_percent, significant

# How each watched Progress field reads, in the lesson's table and in its conclusion alike:
# one figure per quantity, one format per column (0.000037 beside 0.18, not 3.725e-05).
VALUE_TEXT = {
    "test_accuracy": lambda v: honest_percent(v, 2),  # as every page writes it: 96.01%
    "saturated_share": lambda v: honest_percent(v, 1),
    "sigmoid_slope": significant,
    "max_abs_logit": lambda v: f"{v:,.1f}",
    "train_loss": lambda v: significant(v, 3),
}


def value_text(name: str, value) -> str:
    """A Progress field's value as the lessons write it; "–" for a missing value or nan."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if name in VALUE_TEXT:
        return VALUE_TEXT[name](value)
    return f"{value:,}" if isinstance(value, int) else significant(value, 3)


OVERFLOW = {"float32": 88.7, "float64": 709.8}  # ln of the largest float: exp overflows past it


def signed_largest_logit(report: Progress | None) -> float | None:
    """The logit largest in size on report's probe, with its sign (None if not measured)."""
    if report is None or report.max_abs_logit is None:
        return None
    if report.max_logit is not None and report.max_logit < report.max_abs_logit:
        return -report.max_abs_logit  # the largest one in size was negative
    return report.max_abs_logit


def logit_text(report: Progress | None, dtype: str) -> str:
    """The largest |logit| with its sign (as the table writes it) and what exp makes of it:
    "-207.8 (negative: exp of it rounds to 0, harmless)", "389.2 (positive: exp of it
    overflows float32, past 88.7)"."""
    value = signed_largest_logit(report)
    if value is None or math.isnan(value):
        return "–"
    text = value_text("max_abs_logit", value)
    if report.max_logit is None:  # a report kept before the sign was
        return text
    if value < 0:
        return f"{text} (negative: exp of it rounds to 0, harmless)"
    limit = OVERFLOW.get(dtype, OVERFLOW["float32"])
    if value > limit:
        return f"{text} (positive: exp of it overflows {dtype}, past {limit:g})"
    return f"{text} (positive, below {limit:g}: exp of it is still a number)"


def top_logit_text(report: Progress | None, dtype: str) -> str:
    """The largest logit (signed) and whether exp of it overflows: "120.3 (past 88.7: exp
    overflows float32 unless the row's largest logit is subtracted first)"."""
    if report is None or report.max_logit is None or math.isnan(report.max_logit):
        return "–"
    limit = OVERFLOW.get(dtype, OVERFLOW["float32"])
    text = value_text("max_abs_logit", report.max_logit)
    if report.max_logit > limit:
        return f"{text} (past {limit:g}: exp of it overflows {dtype} without the max subtracted)"
    return f"{text} (below {limit:g})"


def summary(label: str, config: TrainConfig, history: Sequence[Progress]) -> dict[str, str]:
    """The numbers a conclusion quotes, as text, from one run's reports (oldest first)."""
    last = history[-1] if history else None
    tested = [p.test_accuracy for p in history if p.test_accuracy is not None]

    def get(name, fmt=None):
        value = None if last is None else getattr(last, name)
        return "–" if value is None else fmt(value) if fmt else value_text(name, value)

    return {
        "label": label,
        "hidden": f"{config.hidden_size:,}",
        "accuracy": value_text("test_accuracy", tested[-1] if tested else None),
        "saturated": get("saturated_share"),
        "slope": get("sigmoid_slope"),
        "distinct": get("distinct_units", lambda v: counted(v, "distinct hidden unit")),
        "logit": logit_text(last, config.dtype),  # the table's figure, with its sign
        "top_logit": top_logit_text(last, config.dtype),
        "loss": get("train_loss"),
        "steps": get("steps", lambda v: counted(v, "step")),
        "updates": get("steps", lambda v: counted(v, "update")),
        "images": get("images_seen", lambda v: counted(v, "image")),
        "seconds": get("elapsed", lambda v: f"{v:.1f} s"),
        "reason": "" if last is None else last.reason,
    }
