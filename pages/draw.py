"""Draw: a digit on the canvas, what the network sees, what it predicts, and why."""

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from mlcore import digit_check
from mlcore.network import logit_gradient
from ui import charts, keys, picker, router
from ui.text import probability

router.ensure()  # a first visit by a link (/train) still goes through app.py

DRAWN = keys.DRAWN_PIXELS  # (28, 28) float32 0-255: what the network saw of the last drawing
DRAWING = keys.DRAWING  # what the canvas starts from; Undo and Clear set a new one
UNSURE = 0.5  # below this top probability the drawing gets a warning
TOOLBAR_ROOM = "small"  # 0.75rem more above the canvas: its hover toolbar (~30 px) sits there


@st.cache_resource(show_spinner=False)
def digit_detector() -> digit_check.Detector:
    """The small "not a digit" network (models/nondigit_cnn.npz), whichever model is picked."""
    return digit_check.load_detector()


def restart_canvas(objects: list) -> None:
    """Button callback: the canvas redrawn with these strokes (a new value redraws it)."""
    clears = st.session_state[DRAWING]["clears"]
    st.session_state[DRAWING] = {"objects": objects, "clears": clears + 1}


def show_reading(probabilities: np.ndarray, doubt: str | None) -> int:
    """The prediction, or the doubt and what the network would still say; returns the digit."""
    digit = int(np.argmax(probabilities))
    share = probability(float(probabilities[digit]))  # as its bar says it
    if doubt is not None:
        st.warning(
            f"{doubt} The network would still answer {digit} ({share}): its softmax always "
            "shares 100% among the ten digits, whatever it is shown."
        )
        return digit
    st.metric(
        "Prediction", digit, delta=f"{share} probability", delta_color="off", delta_arrow="off"
    )
    if probabilities[digit] < UNSURE:
        st.warning(
            f"Not much like any digit to this network: its best guess, {digit}, gets only "
            f"{share}. Try one digit, drawn large."
        )
    return digit


st.title("Draw a digit")
detector = digit_detector()  # loaded once per server, before the first stroke
top1, top2 = st.columns([2, 1])
with top1:
    model_id, model = picker.pick_model(
        keys.DRAW_MODEL,
        "Models you trained on the Train page (with their test accuracy), the default, or a "
        "file you upload. Your choice stays until you change it.",
    )
st.session_state.setdefault(keys.BRUSH, 30)  # a default through the state: app.py writes it back
brush = top2.slider("Brush width (px)", 8, 48, key=keys.BRUSH)
# The reading sits right under the canvas, so it is in view after a stroke on a phone too;
# the probabilities go beside it (under it, once the columns stack).
left, right = st.columns([1, 1], gap="large")
with left:
    st.space(TOOLBAR_ROOM)  # the canvas's toolbar shows above its top edge: not on a label
    drawing = st.session_state.setdefault(DRAWING, {"objects": [], "clears": 0})
    result = st_canvas(
        stroke_width=brush,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=280,
        width=280,
        drawing_mode="freedraw",
        return_image_data=True,
        initial_drawing=drawing,
        key="digit_canvas",
    )
    reading_slot = st.container()
    strokes = list((result.json_data or {}).get("objects") or [])
    b1, b2 = st.columns(2)
    b1.button(
        "Undo the last stroke",
        key="undo_stroke",
        icon=":material/undo:",
        disabled=not strokes,
        on_click=restart_canvas,
        args=(strokes[:-1],),
    )
    b2.button(
        "Clear the canvas",
        key="clear_canvas",
        icon=":material/delete:",
        on_click=restart_canvas,
        args=([],),
    )
    st.caption(
        "Draw one digit anywhere, any size, with the mouse or a finger: it is cropped, "
        "scaled and centred like MNIST. The canvas's own toolbar (undo, redo, reset) shows "
        "when a mouse hovers its top-right corner; the buttons here work without hovering."
    )

rgba = result.image_data
reading = None if rgba is None else digit_check.read_canvas(np.asarray(rgba), detector)
with reading_slot:
    if reading is None or reading.pixels is None:
        st.info(
            (reading and reading.problem)
            or "Draw a digit on the canvas: the prediction appears after each stroke."
        )
        st.session_state.pop(DRAWN, None)
        st.stop()
    pixels = reading.pixels
    st.session_state[DRAWN] = pixels  # the Inside page can follow this digit step by step
    probabilities = model.predict_proba(pixels.ravel())
    digit = show_reading(probabilities, reading.doubt)
with right:
    st.plotly_chart(charts.probability_bars(probabilities), key="probabilities")
    st.caption(
        "A softmax probability is the network's score turned into shares of 100%, not its "
        "certainty: it is near 100% for most drawings, even for some it gets wrong."
    )

i1, i2 = st.columns(2)
i1.plotly_chart(charts.image_figure(pixels, "What the network sees (28×28)"), key="seen")
x = model.scaling.apply(pixels.ravel(), model.params.dtype)
blank = model.scaling.apply(np.zeros(784), model.params.dtype)
why = (logit_gradient(model.params, x, digit) * (x - blank)).reshape(28, 28)
why_title = f"For a {digit} (red) or against (blue)"
i2.plotly_chart(charts.image_figure(why, why_title, diverging=True), key="why")
st.caption(
    f"“{why_title}”: each drawn pixel's share in the predicted digit's score, to first "
    "order — the gradient of that digit's logit (through the hidden layer) times the pixel's ink."
)
