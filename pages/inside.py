"""Inside the network: hidden units, saturation, mistakes, a gradient check, one digit's pass."""

import streamlit as st

from ui import inside, inside_digit, live, picker, router, state

router.ensure()  # a first visit by a link still goes through app.py

st.title("Inside the network")
st.caption(
    "Why the network gets its answers: what its hidden units learned, which are stuck, which "
    "digits it confuses, whether its gradients are right, and one digit's pass in numbers."
)
model_id, _ = picker.pick_model(
    "inside_model",
    "Models you trained on the Train page (also while they train), the default, or a file you "
    "upload. Shared with the Draw page.",
    prefer=picker.newest_run_id,  # until you choose: the run training now, else your newest
)
run = state.scheduler().get(model_id)
training = run is not None and run.active


@st.fragment(run_every=2.0 if training else None)
def show_model() -> None:
    """Every model-dependent part; while the run trains it redraws on each new snapshot."""
    data = state.dataset()
    now = state.scheduler().get(model_id) if training else None  # a Run is a value: ask again
    model, key, a = inside.current(model_id, data)
    if now is not None:
        live.progress(now)
        st.caption(f"Showing its latest weights, {inside.snapshot_words(now, key[1])}.")
    tabs = st.tabs(
        ["Hidden units", "Saturation", "Mistakes", "Gradient check", "One digit, step by step"]
    )
    with tabs[0]:
        inside.hidden_units(model_id, model, a)
    with tabs[1]:
        inside.saturation(model_id, a, data)
    with tabs[2]:
        inside.confusion(model_id, a, data)
    with tabs[3]:
        inside_digit.gradient_check(key, model, data)
    with tabs[4]:
        inside_digit.one_digit(model, data)
    if training and (now is None or not now.active):
        st.rerun()  # the run ended (or was deleted): stop polling


show_model()
