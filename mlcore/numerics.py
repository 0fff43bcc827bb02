"""Naive versus stable softmax, side by side, with the floating-point warnings NumPy raised.

What the softmax page shows: where exp overflows, what that does to the outputs and the loss.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from mlcore.functions import log_softmax, softmax, softmax_naive
from mlcore.quote import quoted, shorten
from mlcore.wording import counted

MAX_ROWS = 100  # complete rows computed and shown; a paste of thousands is cut here


@dataclass(frozen=True)
class SoftmaxComparison:
    """Both softmaxes of logits (n, k), with their intermediate exponentials (n, k)."""

    logits: np.ndarray
    naive: np.ndarray
    stable: np.ndarray
    naive_exp: np.ndarray  # exp(logits): overflows to inf
    stable_exp: np.ndarray  # exp(logits - row max): always in (0, 1]
    warnings: tuple[str, ...]  # NumPy's RuntimeWarnings from the naive computation, deduplicated
    stable_warnings: tuple[str, ...] = ()  # from the stable one: only for inf or nan logits


def _caught(compute, under: str = "warn"):
    """compute()'s result and NumPy's RuntimeWarnings it raised, as deduplicated messages."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under=under):
        warnings.simplefilter("always")
        result = compute()
    return result, tuple(dict.fromkeys(str(w.message) for w in caught))


def compare_softmax(logits, dtype=np.float64) -> SoftmaxComparison:
    """Run naive and stable softmax on logits (k,) or (n, k) in dtype; catch each one's warnings.

    The stable one warns only for infinite logits (inf - inf is nan in the shift); its exponents
    rounding to 0 (underflow) is the right answer to float precision, so that is not reported.
    """
    logits = np.atleast_2d(np.asarray(logits, dtype=dtype))
    if logits.ndim != 2 or logits.shape[1] == 0:
        raise ValueError(f"logits must be a vector or a table of rows, got shape {logits.shape}")
    (naive_exp, naive), messages = _caught(lambda: (np.exp(logits), softmax_naive(logits)))
    (stable_exp, stable), stable_messages = _caught(
        lambda: (np.exp(logits - logits.max(axis=1, keepdims=True)), softmax(logits)),
        under="ignore",
    )
    return SoftmaxComparison(
        logits, naive, stable, naive_exp, stable_exp, messages, stable_messages
    )


def nan_rows(logits: np.ndarray) -> tuple[int, ...]:
    """Indices of the rows of logits (n, k) holding a nan: no softmax, naive or stable, saves
    them (exp(nan), the row max, every sum are nan)."""
    return tuple(int(i) for i in np.flatnonzero(np.isnan(logits).any(axis=1)))


def overflow_limit(dtype) -> float:
    """Largest x with finite exp(x): log(max float), ~88.72 in float32, ~709.78 in float64."""
    return float(np.log(np.finfo(dtype).max))


def breaking_point(top_logits: np.ndarray, dtype=np.float64) -> dict[str, np.ndarray]:
    """For logits [0, m] with each m in top_logits (q,): what naive and stable softmax make of them.

    Returns arrays (q,): p_top_naive, p_top_stable (probability of the larger logit) and
    loss_naive, loss_stable (cross-entropy were the smaller logit true: m + log(1 + e^-m)).
    """
    m = np.asarray(top_logits, dtype=dtype)
    logits = np.stack([np.zeros_like(m), m], axis=1)  # (q, 2)
    with np.errstate(all="ignore"):
        naive = softmax_naive(logits)
        loss_naive = -np.log(naive[:, 0])
    return {
        "p_top_naive": naive[:, 1],
        "p_top_stable": softmax(logits)[:, 1],
        "loss_naive": loss_naive,
        "loss_stable": -log_softmax(logits)[:, 0],
    }


@dataclass(frozen=True)
class LogitTable:
    """Typed logit cells read as numbers: the complete rows, and what was said about the rest."""

    values: np.ndarray  # (m, k) the complete rows' logits × factor, in dtype
    rows: tuple[int, ...]  # (m,) each complete row's index in the typed table, from 0
    problems: tuple[str, ...]  # cells that are not numbers, rows left out (and why)
    notes: tuple[str, ...]  # cells read, but whose value is not what was typed (inf, 0)


def parse_logit(text: str) -> float:
    """The float64 value of one typed logit: Python's float syntax, plus − (U+2212) and ∞.

    1e400 is inf and 1e-400 is 0 (their true float64 values); "abc" or "3,5" raise ValueError
    naming the text (a comma is refused: is 1,000 a thousand or one?).
    """
    cleaned = text.strip().replace("−", "-").replace("∞", "inf")
    if "," in cleaned:
        raise ValueError(f"{quoted(text)} is not a number: write decimals with a point (3.5)")
    try:
        return float(cleaned)
    except ValueError:
        raise ValueError(
            f"{quoted(text)} is not a number (try 2.5, -1e-5, 1e400, inf or nan)"
        ) from None


def _changed(text: str, true: float, value: float, factor: float, dtype: np.dtype) -> str | None:
    """Why value (the cell × factor in dtype) is not the number typed, or None if it is."""
    shown = shorten(text, 40)  # 1 then 200,000 zeros is inf: say so, not the zeros
    if np.isinf(value) and np.isfinite(true):
        where = "beyond float64" if np.isinf(true * factor) else f"beyond {dtype}"
        scaled = f"{shown} × {factor:g}" if factor != 1 else shown
        return f"{scaled} is {where}: it is {value}"
    if np.isinf(true) and "inf" not in text.lower() and "∞" not in text:
        return f"{shown} is beyond float64: it is {true}"
    mantissa = text.lower().split("e")[0]
    if value == 0 and any(c in "123456789" for c in mantissa):
        return f"{shown} is too small for {dtype}: it is 0"
    return None


def parse_logit_table(cells, factor: float = 1.0, dtype=np.float64) -> LogitTable:
    """Read a typed table (n, k) of str or None (an empty cell); keep the complete rows × factor.

    A row with an empty or unreadable cell is left out and named in `problems`; a cell whose
    value is not what was typed (1e400 -> inf, or inf only after × factor or the cast to dtype)
    is named in `notes`. Rows and classes are counted from 1 in messages, as the page shows them.
    Only the first MAX_ROWS complete rows are read; the first problem then says so.
    """
    dtype = np.dtype(dtype)
    values, rows, problems, notes = [], [], [], []
    for i, row in enumerate(cells):
        if len(values) == MAX_ROWS:
            rest = counted(len(cells) - i, "row")
            left = f"the {rest} from row {i + 1} on {'is' if rest == '1 row' else 'are'} left out"
            problems.insert(0, f"only the first {MAX_ROWS} complete rows are computed: {left}")
            break
        parsed = _read_row(i, row, factor, dtype, problems, notes)
        if parsed is not None:
            values.append(parsed)
            rows.append(i)
    k = len(cells[0]) if len(cells) else 0
    table = np.array(values, dtype=dtype).reshape(len(values), k)
    return LogitTable(table, tuple(rows), tuple(problems), tuple(notes))


def _read_row(i: int, row, factor: float, dtype: np.dtype, problems: list, notes: list):
    """Row i's values × factor in dtype, or None (and why, appended to problems)."""
    parsed, empty = [], []
    for j, text in enumerate(row):
        if text is None or not str(text).strip():
            empty.append(f"class {j}")
            continue
        try:
            true = parse_logit(str(text))
        except ValueError as e:
            problems.append(f"row {i + 1}, class {j}: {e}")
            continue
        with np.errstate(over="ignore"):
            value = dtype.type(true * factor)
        if note := _changed(str(text), true, float(value), factor, dtype):
            notes.append(f"row {i + 1}, class {j}: {note}")
        parsed.append(value)
    if len(parsed) == len(row) and row:
        return parsed
    if len(empty) == len(row):
        problems.append(f"row {i + 1} is empty: left out")
    else:
        why = f"{', '.join(empty)} empty" if empty else "a cell is not a number"
        problems.append(f"row {i + 1} is left out ({why})")
    return None
