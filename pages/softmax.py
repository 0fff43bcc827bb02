"""Softmax: the lab's naive formula next to the stable one, on logits the user chooses."""

import numpy as np
import pandas as pd
import streamlit as st

from mlcore.numerics import breaking_point, compare_softmax, overflow_limit
from ui import charts

PRESETS = {
    "a = [[0.3, 0.8, 0.2], [0.1, 0.9, 0.1]] (the lab)": [[0.3, 0.8, 0.2], [0.1, 0.9, 0.1]],
    "b = [1, 20]": [[1.0, 20.0]],
    "c = [1, 1000]": [[1.0, 1000.0]],
    "your own": [[2.0, 1.0, 0.1]],
}
SCALES = [0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 100.0, 1000.0]


def table(values: np.ndarray) -> "pd.io.formats.style.Styler":
    """values (n, k) as text (so nan shows as nan, not as an empty cell), inf/nan in red."""
    text = pd.DataFrame(
        [[f"{v:.8g}" for v in row] for row in values],
        columns=[f"class {j}" for j in range(values.shape[1])],
    )
    bad = "background-color: #f8d0d0; color: #a00000; font-weight: bold"
    return text.style.apply(lambda _: np.where(np.isfinite(values), "", bad), axis=None)


st.title("Naive vs stable softmax")
st.markdown(
    "softmax(l)ᵢ = exp(lᵢ) / Σⱼ exp(lⱼ). The lab computes exactly that. But exp overflows to "
    "**inf** once a logit passes ≈ 88.7 (float32) or ≈ 709.8 (float64), and inf / inf is "
    "**nan**. Subtracting each row's largest logit first changes nothing mathematically — it "
    "cancels in the ratio — yet keeps every exponent ≤ 0."
)
preset = st.radio("Logits", list(PRESETS), key="softmax_preset", horizontal=True)
c1, c2 = st.columns([3, 2])
with c1:
    edited = st.data_editor(
        pd.DataFrame(
            PRESETS[preset], columns=[f"class {j}" for j in range(len(PRESETS[preset][0]))]
        ),
        num_rows="dynamic",
        key=f"logits_{preset}",
        width="stretch",
    )
with c2:
    factor = st.select_slider("Multiply every logit by", SCALES, value=1.0, key="softmax_scale")
    dtype_name = st.radio(
        "Precision",
        ["float64", "float32"],
        key="softmax_dtype",
        horizontal=True,
        help="float64 is NumPy's default and the lab's.",
    )

logits = edited.to_numpy(dtype=float, na_value=np.nan)
logits = logits[~np.isnan(logits).all(axis=1)] * factor if logits.size else logits
if logits.size == 0 or np.isnan(logits).any():
    st.warning("Fill in every cell of at least one row with a number.")
    st.stop()
dtype = np.dtype(dtype_name)
result = compare_softmax(logits, dtype)

left, right = st.columns(2)
with left:
    st.subheader("Naive (the lab)")
    st.code(
        "e = np.exp(l)\ne / np.sum(e, axis=1).reshape(-1, 1)", language="python", wrap_lines=True
    )
    st.dataframe(table(result.naive))
    st.caption("Row sums: " + ", ".join(f"{s:.6g}" for s in np.sum(result.naive, axis=1)))
    for message in result.warnings:
        st.error(f"NumPy RuntimeWarning: {message}")
    if not result.warnings:
        st.success("No floating-point warnings.")
    st.caption("Intermediate exp(l) — inf where it overflowed:")
    st.dataframe(table(result.naive_exp))
with right:
    st.subheader("Stable (subtract the row max)")
    st.code(
        "e = np.exp(l - l.max(axis=-1, keepdims=True))\ne / e.sum(axis=-1, keepdims=True)",
        language="python",
        wrap_lines=True,
    )
    st.dataframe(table(result.stable))
    st.caption("Row sums: " + ", ".join(f"{s:.6g}" for s in np.sum(result.stable, axis=1)))
    st.success("No floating-point warnings: every exponent is ≤ 0.")
    st.caption("Intermediate exp(l − max) — always in (0, 1]:")
    st.dataframe(table(result.stable_exp))

row = 0
if len(logits) > 1:
    row = st.selectbox("Row to plot", range(len(logits)), format_func=lambda i: f"row {i + 1}")
st.plotly_chart(charts.softmax_bars(result.naive[row], result.stable[row]), key="softmax_bars")

st.subheader("Where does the naive softmax break?")
limit = overflow_limit(dtype)
top = np.linspace(0, 1.4 * limit, 600)
st.plotly_chart(
    charts.breaking_point_figure(top, breaking_point(top, dtype), limit, dtype_name),
    key="breaking_point",
)
st.markdown(
    f"For logits [0, m], the naive softmax is exact until m = {limit:.1f}, where exp(m) no "
    f"longer fits in {dtype_name}: the probabilities become **nan** and the loss **inf**. The "
    "stable softmax, and a loss computed with log-softmax, stay exact for any m. A network "
    "whose logits grow during training would crash the lab's code at that point."
)
