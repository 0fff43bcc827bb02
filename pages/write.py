"""Write it yourself: the lab's functions as an exercise, checked, trained live, handed in."""

import streamlit as st

from ui import (
    keys,
    live,
    router,
    write_check,
    write_editor,
    write_handin,
    write_train,
    write_versions,
)

router.ensure()
st.title("Write it yourself")
st.markdown(
    "Write the lab's network: `prepend_bias`, `sigmoid`, `softmax`, `forward`, `back` and the "
    "rest, in the editor below (it starts from the skeleton), or paste your notebook's cells. "
    "**Check** tests each function on small inputs against ours and says what looks wrong; "
    "**Train with my code** trains your `initialize_weights`, `forward` and `back` beside ours."
)
runnable, where = write_check.where_code_runs()
st.caption(where)

source = write_editor.source()

buttons = st.container(horizontal=True)  # Check, then Train with my code (below: its lesson)
if buttons.button("Check", key=keys.WRITE_CHECK, type="primary", disabled=not runnable):
    write_check.run(source)
write_check.show(write_check.latest())

st.divider()
st.subheader("Train with my code")
st.caption(
    write_train.LESSON.format(
        ratio=write_train.LAB_STEP_RATIO[0], when=write_train.LAB_STEP_RATIO[1]
    )
)
trainable = runnable and write_train.available()
if buttons.button("Train with my code", key="write_train", disabled=not trainable):
    write_train.start(source)
if keys.WRITE_TRAIN_ERROR in st.session_state:
    st.error(st.session_state.pop(keys.WRITE_TRAIN_ERROR))
if not write_train.available():
    st.info("Training with your own code needs this server's sandboxed worker, not here yet.")


@st.fragment(run_every=live.poll_seconds() if any(r.active for r in write_train.runs()) else None)
def race() -> None:
    pair = write_train.runs()
    if not pair:
        return
    for name, run in zip(write_train.NAMES, pair, strict=True):
        st.markdown(f"**{name}**")
        live.progress(run)
    live.curves(pair, key="write", names=write_train.NAMES, light_now=live.light())
    said = write_train.parting(*pair)
    if said:
        st.text(said)
    st.button(
        "Stop both",
        key="write_stop",
        on_click=write_train.stop_all,
        disabled=not any(r.active for r in pair),
    )


race()

st.divider()
st.subheader("Your versions")
kept = write_versions.versions()
if not kept:
    st.caption("Each version you check is kept here with its result.")
for version in kept[:10]:
    with st.expander(f"Version {version.version}: {write_check.passes_line(version.check)}"):
        st.code(version.source, language="python")
if kept and not write_versions.kept_in_store():
    st.caption("Kept in this tab only: a reload forgets them.")

pair = write_train.runs()
write_handin.form(kept[0].version if kept else None, [pair[0].id] if pair else [])
