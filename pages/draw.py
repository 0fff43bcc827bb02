"""Draw: a digit on the canvas, what the network sees, what it predicts, and why."""

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from mlcore.network import logit_gradient
from mlcore.preprocess import canvas_to_mnist
from ui import charts, state

st.title("Draw a digit")
choices = state.model_choices()
if st.session_state.get("draw_model") not in choices:  # first visit, or its run was dropped
    st.session_state["draw_model"] = state.best_model_id()
left, right = st.columns([1, 1], gap="large")
with left:
    model_id = st.selectbox(
        "Model",
        list(choices),
        key="draw_model",
        format_func=choices.get,
        help="Models you trained on the Train page (with their test accuracy), and the "
        "default. Your choice stays until you change it.",
    )
    model = state.model_by_id(model_id)
    if model_id == state.DEFAULT_MODEL_ID:
        st.caption(
            "Trained by `python -m mlcore.train` on full MNIST. Train your own on the Train "
            "page to use it here."
        )
    brush = st.slider("Brush width (px)", 8, 48, 30, key="brush")
    clears = st.session_state.setdefault("canvas_clears", 0)
    result = st_canvas(
        stroke_width=brush,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=280,
        width=280,
        drawing_mode="freedraw",
        return_image_data=True,
        initial_drawing={"objects": [], "clears": clears},  # a new value clears the canvas
        key="digit_canvas",
    )
    st.button(
        "Clear the canvas",
        key="clear_canvas",
        icon=":material/delete:",
        on_click=lambda: st.session_state.update(canvas_clears=clears + 1),
    )
    st.caption(
        "Draw one digit anywhere, any size: it is cropped, scaled and centred like MNIST. "
        "Hover over the canvas for its toolbar (undo, redo)."
    )

rgba = result.image_data
pixels = None if rgba is None else canvas_to_mnist(np.asarray(rgba))
with right:
    if pixels is None:
        st.info("Draw a digit on the canvas: the prediction appears after each stroke.")
        st.stop()
    probabilities = model.predict_proba(pixels.ravel())
    digit = int(np.argmax(probabilities))
    st.metric(
        "Prediction",
        digit,
        delta=f"{100 * probabilities[digit]:.1f}% probability",
        delta_color="off",
        delta_arrow="off",
    )
    st.plotly_chart(charts.probability_bars(probabilities), key="probabilities")

i1, i2 = st.columns(2)
i1.plotly_chart(charts.image_figure(pixels, "What the network sees (28×28)"), key="seen")
x = model.scaling.apply(pixels.ravel(), model.params.dtype)
blank = model.scaling.apply(np.zeros(784), model.params.dtype)
why = (logit_gradient(model.params, x, digit) * (x - blank)).reshape(28, 28)
i2.plotly_chart(
    charts.image_figure(why, f"For a {digit} (red) or against (blue)", diverging=True),
    key="why",
)
st.caption(
    "Right: each drawn pixel's share in the predicted digit's score, to first order — "
    "the gradient of that digit's logit (through the hidden layer) times the pixel's ink."
)
