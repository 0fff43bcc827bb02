"""Where a student's loss curve parts from the reference's (same settings, same seed)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Correct float64 code differed from the reference by at most 6e-16 in relative train loss
# (measured for mlcore/lab_train.py); a real mistake moves the first report by far more.
CURVE_RTOL = 1e-9


def where_curves_part(
    reference_losses: Sequence[float], student_losses: Sequence[float], rtol: float = CURVE_RTOL
) -> tuple[int, float] | None:
    """(iteration, student - reference) at the first point where the two differ by more than
    rtol relative to the reference (nan counts as differing), or None if they agree on every
    iteration both have. Iterations count from 0, as the lab's report() prints them."""
    n = min(len(reference_losses), len(student_losses))
    reference = np.asarray(reference_losses[:n], dtype=np.float64)
    student = np.asarray(student_losses[:n], dtype=np.float64)
    apart = ~(np.abs(student - reference) <= rtol * np.abs(reference))  # nan -> apart
    if not apart.any():
        return None
    first = int(np.argmax(apart))
    return first, float(student[first] - reference[first])
