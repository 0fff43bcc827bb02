"""Draw: a digit on the canvas, what the network sees, what it predicts, and why."""

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from mlcore.network import logit_gradient
from mlcore.preprocess import canvas_to_mnist, digit_problem
from ui import charts, picker, router
from ui.text import honest_percent

router.ensure()  # a first visit by a link (/train) still goes through app.py

DRAWN = "draw_pixels"  # (28, 28) uint8: what the network saw of the last drawing
UNSURE = 0.5  # below this top probability the drawing gets a warning

st.title("Draw a digit")
top1, top2 = st.columns([2, 1])
with top1:
    model_id, model = picker.pick_model(
        "draw_model",
        "Models you trained on the Train page (with their test accuracy), the default, or a "
        "file you upload. Your choice stays until you change it.",
    )
st.session_state.setdefault("brush", 30)  # a default through the state: app.py writes it back
brush = top2.slider("Brush width (px)", 8, 48, key="brush")
# Canvas left, prediction right; on a phone the columns stack: the prediction comes right
# under the canvas (the settings are above both).
left, right = st.columns([1, 1], gap="large")
with left:
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
        "Draw one digit anywhere, any size, with the mouse or a finger: it is cropped, "
        "scaled and centred like MNIST. Undo and redo are in the canvas's toolbar (hover "
        "over its top-right corner)."
    )

rgba = result.image_data
problem = None if rgba is None else digit_problem(np.asarray(rgba))
pixels = None if rgba is None or problem else canvas_to_mnist(np.asarray(rgba))
with right:
    if pixels is None:
        st.info(problem or "Draw a digit on the canvas: the prediction appears after each stroke.")
        st.session_state.pop(DRAWN, None)
        st.stop()
    st.session_state[DRAWN] = pixels  # the Inside page can follow this digit step by step
    probabilities = model.predict_proba(pixels.ravel())
    digit = int(np.argmax(probabilities))
    st.metric(
        "Prediction",
        digit,
        delta=f"{honest_percent(float(probabilities[digit]))} probability",
        delta_color="off",
        delta_arrow="off",
    )
    st.caption(
        "A softmax probability is the network's score turned into shares of 100%, not its "
        "certainty: it is near 100% for most drawings, even for some it gets wrong."
    )
    if probabilities[digit] < UNSURE:
        st.warning(
            f"Not much like any digit to this network: its best guess, {digit}, gets only "
            f"{honest_percent(float(probabilities[digit]))}. Try one digit, drawn large."
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
