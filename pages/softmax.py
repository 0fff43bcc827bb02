"""Softmax: the lab's naive formula next to the stable one, on logits the user chooses."""

import numpy as np
import pandas as pd
import streamlit as st

from mlcore.numerics import (
    breaking_point,
    compare_softmax,
    nan_rows,
    overflow_limit,
    parse_logit_table,
)
from ui import keys, paste, router, softmax_charts
from ui.text import grouped

router.ensure()  # a first visit by a link (/train) still goes through app.py

PRESETS = {
    "a = [[0.3, 0.8, 0.2], [0.1, 0.9, 0.1]] (the lab)": [[0.3, 0.8, 0.2], [0.1, 0.9, 0.1]],
    "b = [1, 20]": [[1.0, 20.0]],
    "c = [1, 1000]": [[1.0, 1000.0]],
    "your own": [[2.0, 1.0, 0.1]],
}
SCALES = [0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 100.0, 1000.0]
# Page-local session keys: the typed tables per preset. The editor shows the table kept when it
# was mounted ("base": it must not change under the editor's own edits) and returns the latest.
BASES, TYPED, VERSIONS = keys.SOFTMAX_BASES, keys.SOFTMAX_TYPED, keys.SOFTMAX_VERSIONS
PASTED = keys.SOFTMAX_PASTED  # what the last big paste kept, said once
TOOLBAR_ROOM = "small"  # 0.75rem more: the data editor's toolbar (~30 px) sits above its top edge


def typed(rows: list[list[float]]) -> pd.DataFrame:
    """A preset's logits as the text a student would type, one text column per class."""
    columns = [f"class {j}" for j in range(len(rows[0]))]
    return pd.DataFrame([[f"{v:g}" for v in row] for row in rows], columns=columns, dtype=object)


def cells(frame: pd.DataFrame) -> list[list[str | None]]:
    """The editor's table as text cells, None where a cell is empty; empty rows at its end
    left off (Enter in the last row adds one, not typed in yet: nothing to warn about)."""
    rows = [[None if pd.isna(v) else str(v) for v in row] for row in frame.itertuples(index=False)]
    while rows and all(v is None or not v.strip() for v in rows[-1]):
        rows.pop()
    return rows


def reset(preset: str) -> None:
    """Forget this preset's edits; a new editor key makes Streamlit drop the editor's own."""
    st.session_state[TYPED][preset] = typed(PRESETS[preset])
    st.session_state[VERSIONS][preset] = st.session_state[VERSIONS].get(preset, 0) + 1


def editor_key(preset: str) -> str:
    return (
        f"softmax_logits_{list(PRESETS).index(preset)}_{st.session_state[VERSIONS].get(preset, 0)}"
    )


def take_big_paste(preset: str, key: str) -> None:
    """A paste of many rows: applied at once (see ui/paste.py), the editor mounted anew on it."""
    table, total = paste.edits_applied(st.session_state[BASES][preset], st.session_state[key])
    st.session_state[TYPED][preset] = table
    st.session_state[VERSIONS][preset] = st.session_state[VERSIONS].get(preset, 0) + 1
    if total > len(table):
        st.session_state[PASTED] = (
            f"The paste made a table of {total:,} rows: the table keeps its first {len(table):,}."
        )


def table(values: np.ndarray, rows: tuple[int, ...]) -> "pd.io.formats.style.Styler":
    """values (n, k) as text (so nan shows as nan, not as an empty cell), inf/nan in red."""
    text = pd.DataFrame(
        [[f"{v:.8g}" for v in row] for row in values],
        columns=[f"class {j}" for j in range(values.shape[1])],
        index=[f"row {i + 1}" for i in rows],
    )
    bad = "background-color: rgba(214, 39, 40, 0.3); font-weight: bold"  # light or dark theme
    return text.style.apply(lambda _: np.where(np.isfinite(values), "", bad), axis=None)


st.title("Naive vs stable softmax")
st.markdown(
    "softmax(l)ᵢ = exp(lᵢ) / Σⱼ exp(lⱼ). The lab computes exactly that. But exp overflows to "
    "**inf** once a logit passes ≈ 88.7 (float32) or ≈ 709.8 (float64), and inf / inf is "
    "**nan**. Subtracting each row's largest logit first changes nothing mathematically — it "
    "cancels in the ratio — yet keeps every exponent ≤ 0."
)
preset = st.radio("Logits", list(PRESETS), key=keys.SOFTMAX_PRESET, horizontal=True)
for name in (BASES, TYPED, VERSIONS):
    st.session_state.setdefault(name, {})
key = editor_key(preset)
if paste.is_big_paste(st.session_state.get(key)):
    take_big_paste(preset, key)
    key = editor_key(preset)
if PASTED in st.session_state:
    st.info(st.session_state.pop(PASTED), icon=":material/content_paste:")
if key not in st.session_state:  # the editor is (re)mounted: start from this preset's kept table
    kept = st.session_state[TYPED].get(preset)
    st.session_state[BASES][preset] = typed(PRESETS[preset]) if kept is None else kept
base = st.session_state[BASES][preset]
st.space(TOOLBAR_ROOM)  # the editor's hover toolbar shows above it: not over the choices
c1, c2 = st.columns([3, 2])
with c1:
    edited = st.data_editor(
        base,
        num_rows="dynamic",
        hide_index=True,
        key=key,
        width="stretch",
        # Text columns: a number column would turn "abc" into 0 and "1e400" into 1400.
        column_config={c: st.column_config.TextColumn(c) for c in base.columns},
    )
    st.session_state[TYPED][preset] = edited
    st.button("Reset this table", key="softmax_reset", on_click=reset, args=(preset,))
with c2:
    # The default goes through the state, not value=: app.py writes this key back on every run,
    # and a widget given both logs Streamlit's "created with a default value" warning.
    st.session_state.setdefault(keys.SOFTMAX_SCALE, 1.0)
    factor = st.select_slider("Multiply every logit by", SCALES, key=keys.SOFTMAX_SCALE)
    dtype_name = st.radio(
        "Precision",
        ["float64", "float32"],
        key=keys.SOFTMAX_DTYPE,
        horizontal=True,
        help="float64 is NumPy's default and the lab's.",
    )

parsed = parse_logit_table(cells(edited), factor, dtype_name)
if parsed.problems:  # one alert each, however many rows a paste brought
    st.warning("Left out:\n" + grouped(list(parsed.problems)), icon=":material/edit_off:")
if parsed.notes:
    st.info("Read, but not as typed:\n" + grouped(list(parsed.notes)), icon=":material/info:")
if not parsed.rows:
    st.info("No row to compute: type a number in every cell of a row, or reset the table.")
    st.stop()
dtype = np.dtype(dtype_name)
result = compare_softmax(parsed.values, dtype)
rows = parsed.rows
lost = [f"row {rows[i] + 1}" for i in nan_rows(parsed.values)]
NAN = (  # said on both sides instead of "no warnings": a nan raises none, and nothing saves it
    f"{', '.join(lost)}: a nan logit — nothing saves a nan. exp(nan), the row's max and every "
    "sum with it are nan, so the whole row is nan in either formula (and NumPy says nothing)."
)

left, right = st.columns(2)
with left:
    st.subheader("Naive (the lab)")
    st.code(
        "e = np.exp(l)\ne / np.sum(e, axis=1).reshape(-1, 1)", language="python", wrap_lines=True
    )
    st.dataframe(table(result.naive, rows))
    st.caption("Row sums: " + ", ".join(f"{s:.6g}" for s in np.sum(result.naive, axis=1)))
    for message in result.warnings:
        st.error(f"NumPy RuntimeWarning: {message}")
    if lost:
        st.error(NAN)
    elif not result.warnings:
        st.success("No floating-point warnings.")
    st.caption("Intermediate exp(l) — inf where it overflowed:")
    st.dataframe(table(result.naive_exp, rows))
with right:
    st.subheader("Stable (subtract the row max)")
    st.code(
        "e = np.exp(l - l.max(axis=-1, keepdims=True))\ne / e.sum(axis=-1, keepdims=True)",
        language="python",
        wrap_lines=True,
    )
    st.dataframe(table(result.stable, rows))
    st.caption("Row sums: " + ", ".join(f"{s:.6g}" for s in np.sum(result.stable, axis=1)))
    for message in result.stable_warnings:
        st.error(f"NumPy RuntimeWarning: {message} (an inf or nan logit: no formula saves it)")
    if lost:
        st.error(NAN)
    elif not result.stable_warnings:
        st.success("No floating-point warnings: every exponent is ≤ 0.")
    st.caption("Intermediate exp(l − max) — always in (0, 1]:")
    st.dataframe(table(result.stable_exp, rows))

row = 0
if len(rows) > 1:
    row = st.selectbox("Row to plot", range(len(rows)), format_func=lambda i: f"row {rows[i] + 1}")
st.plotly_chart(
    softmax_charts.softmax_bars(result.naive[row], result.stable[row]), key="softmax_bars"
)

st.subheader("Where does the naive softmax break?")
limit = overflow_limit(dtype)
top = np.linspace(0, 1.4 * limit, 600)
st.plotly_chart(
    softmax_charts.breaking_point_figure(top, breaking_point(top, dtype), limit, dtype_name),
    key="breaking_point",
)
st.markdown(
    f"The loss when the true class is the smaller logit. For logits [0, m], the naive softmax "
    f"is exact until m = {limit:.1f}, where exp(m) no longer fits in {dtype_name}: the "
    "probabilities become **nan** and the loss **inf**. The stable softmax, and a loss computed "
    "with log-softmax, stay exact for any m. A network whose logits grow during training would "
    "crash the lab's code at that point."
)
