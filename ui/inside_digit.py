"""The gradient check and one digit's forward and backward pass, for "Inside the network"."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mlcore import inspection as ins
from mlcore.data import Dataset
from mlcore.model import Model
from mlcore.train import TrainConfig
from ui import charts as base_charts
from ui import inside_charts as charts
from ui import keys
from ui.text import probability, significant

CHECK = keys.INSIDE_CHECK  # (cache key, rows) of the last gradient check
CHECK_ROWS = 16  # test images in the checked batch
DRAWN = keys.DRAWN_PIXELS  # (28, 28) float32 0-255, written by the Draw page
TOLERANCE = 1e-6


def digits(x: float) -> str:
    """A table cell of the pass: 2 significant digits, plain decimals (mlcore.wording)."""
    return significant(float(x), 2)


def gradient_check(key: tuple, model: Model, data: Dataset) -> None:
    """A button that checks backprop against finite differences; the table of the last check."""
    st.markdown(
        "Backpropagation's gradient of the loss for a few sampled weights of each array, against "
        "the slope measured by nudging that weight by ±0.0001 and re-running the network "
        f"(float64, the first {CHECK_ROWS} test images). They should agree to better than 1e-6."
    )
    if st.button("Run the gradient check", key="inside_gradcheck_run", icon=":material/rule:"):
        X = model.scaling.apply(data.X_test[:CHECK_ROWS], np.float64)
        rows = ins.gradient_check(model.params, X, data.y_test[:CHECK_ROWS])
        st.session_state[CHECK] = (key, rows)
    done = st.session_state.get(CHECK)
    if done is None or done[0] != key:
        st.caption("Press the button: it takes about a second.")
        return
    _check_table(done[1])


def _check_table(rows) -> None:
    """The verdict and the table of a gradient check's rows (ins.gradient_check's)."""
    worst = max(r.relative_error for r in rows)
    say = st.success if worst < TOLERANCE else st.error
    say(
        f"Largest relative error {worst:.1e}: "
        + ("backprop is right." if worst < TOLERANCE else "too large.")
    )
    table = [
        {
            "weight": f"{r.name}{list(r.index)}",
            "analytic (backprop)": r.analytic,
            "numerical": r.numerical,
            "relative error": r.relative_error,
        }
        for r in rows
    ]
    columns = ("analytic (backprop)", "numerical", "relative error")
    st.dataframe(
        table,
        hide_index=True,
        key="inside_gradcheck_table",
        column_config={c: st.column_config.NumberColumn(format="%.3e") for c in columns},
    )
    floor = f"1e{round(np.log10(ins.SMALLEST_SCALE))}"
    st.caption(
        "relative error = |analytic − numerical| / (|analytic| + |numerical|), the denominator "
        f"at least {floor}: nudging a weight measures a slope only to about 1e-11, so a "
        "gradient nearer zero is judged by how far apart the two are."
    )


def _choose_image(data: Dataset) -> tuple[np.ndarray, int, str]:
    """(raw pixels (784,), label, name) of a test image, or of the Draw page's digit."""
    drawn = st.session_state.get(DRAWN)
    sources = ["A test image"] + (["The digit on the Draw page"] if drawn is not None else [])
    c1, c2 = st.columns(2)
    source = c1.radio(
        "Image", sources, key=keys.INSIDE_SOURCE, horizontal=True, help="Which image to follow."
    )
    if source == "A test image":
        n = len(data.y_test)
        if st.session_state.get(keys.INSIDE_INDEX, 0) >= n:  # a smaller test set is in use
            st.session_state[keys.INSIDE_INDEX] = 0
        i = c2.number_input(
            "Test image number", 0, n - 1, key=keys.INSIDE_INDEX, help=f"0 to {n - 1}."
        )
        return data.X_test[i], int(data.y_test[i]), f"test image #{i}"
    label = c2.selectbox(
        "The digit you meant", range(10), key=keys.INSIDE_MEANT, help="The label for the loss."
    )
    return np.asarray(drawn, np.float32).ravel(), int(label), "your drawing"


def one_digit(model: Model, data: Dataset) -> None:
    """One image through the network and back, the formulas beside the numbers."""
    pixels, label, name = _choose_image(data)
    x = model.scaling.apply(pixels, np.float64)
    p = ins.one_image_pass(model.params, x, label)
    _forward(p, pixels, label, name)
    _backward(p, label, model.info.learning_rate or TrainConfig().learning_rate)


def _forward(p, pixels: np.ndarray, label: int, name: str) -> None:
    """The image, the forward pass's formulas and loss, its logits and softmax."""
    pred = int(np.argmax(p.softmax))
    c1, c2 = st.columns([1, 2])
    c1.plotly_chart(
        base_charts.image_figure(pixels.reshape(28, 28), f"{name}: a {label}"), key="inside_digit"
    )
    with c2:
        st.markdown("**Forward pass**")
        st.latex(  # one equation a line: narrow enough for a phone
            r"\begin{aligned} z_1 &= x W_1 + b_1 \\ h &= \sigma(z_1) \\"
            r" \text{logits} &= h W_2 + b_2 \\ \hat y &= \mathrm{softmax}(\text{logits}) \\"
            + f" L &= -\\log \\hat y_{{{label}}} = {p.loss:.4f}"
            + r" \end{aligned}"
        )
        st.markdown(f"It reads **{pred}** with probability {probability(p.softmax[pred])}.")
    f1, f2 = st.columns(2)
    f1.plotly_chart(charts.digit_bars(p.logits, "Logits", "logit", pred), key="inside_logits")
    f2.plotly_chart(
        charts.digit_bars(p.softmax, "Softmax ŷ", "probability", pred), key="inside_softmax"
    )
    st.caption(
        "Logits are the ten raw scores; softmax turns them into probabilities that sum to 1."
    )


def _backward(p, label: int, rate: float) -> None:
    """d_logits, then the hidden units and the weights with the largest gradients."""
    st.markdown("**Backward pass**")
    st.latex(r"\frac{\partial L}{\partial\,\text{logits}} = \hat y - \text{onehot}(y)")
    st.plotly_chart(
        charts.digit_bars(p.d_logits, "d_logits = ŷ − onehot(y)", "gradient", label),
        key="inside_dlogits",
    )
    st.caption(
        f"Negative at the true digit {label} (raise its score), positive at the others "
        "(lower them), in proportion to the probability each got."
    )
    _largest_gradients(p, rate)


def _largest_gradients(p, rate: float) -> None:
    """The hidden units and the weights with the largest gradients, formulas above them."""
    b1, b2 = st.columns(2)
    with b1:
        st.latex(r"dZ_1 = (d_\text{logits} W_2^\top) \odot h \odot (1 - h)")
        units = [  # text, 2 significant digits: 0.00012 is not "-0.0001" or 1.2e-04 beside 0.42
            {"unit": int(u), "z1": digits(p.z1[u]), "h = σ(z1)": digits(p.h[u]), "dZ1": digits(dz)}
            for u, dz in zip(p.top_units, p.top_dz1, strict=True)
        ]
        st.space("small")  # the table's toolbar (always shown on a phone) stays off the formula
        st.dataframe(units, hide_index=True, key="inside_dz1")
        st.caption("The hidden units with the largest gradient: they would move most.")
    with b2:
        st.latex(
            r"\begin{aligned} dW_1 &= x^\top dZ_1 \\ dW_2 &= h^\top d_\text{logits} \\"
            r" W &\mathrel{-}= \eta\, dW \end{aligned}"
        )
        weights = [
            {
                "weight": f"{n}{list(i)}",
                "gradient": digits(g),
                f"change at η = {rate:g}": digits(-rate * g),
            }
            for n, i, g in p.top_weights
        ]
        st.space("small")
        st.dataframe(weights, hide_index=True, key="inside_weights")
        st.caption(
            "The weights a step on this image alone would change most (η: the model's rate)."
        )
