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
from ui.text import plain

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
st.caption(write_train.LESSON.format(**write_train.LAB_RATIOS))
if buttons.button("Train with my code", key=keys.WRITE_TRAIN, disabled=not runnable):
    write_train.start(source)
if keys.WRITE_TRAIN_ERROR in st.session_state:
    st.error(plain(st.session_state.pop(keys.WRITE_TRAIN_ERROR)))


st.session_state[keys.WRITE_POLLING] = any(r.active for r in write_train.runs())


@st.fragment(run_every=live.poll_seconds() if st.session_state[keys.WRITE_POLLING] else None)
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
        key=keys.WRITE_STOP,
        on_click=write_train.stop_all,
        disabled=not any(r.active for r in pair),
    )
    if st.session_state[keys.WRITE_POLLING] and not any(r.active for r in pair):
        st.rerun()  # both ended: the full run stops polling (asked again if it was dropped)


race()

st.divider()
st.subheader("Your versions")
kept = write_versions.versions()
if not kept:
    st.caption("Each version you check is kept here with its result.")
for version in kept[:10]:
    with st.expander(f"Version {version.version}: {write_check.passes_line(version.check)}"):
        st.code(version.source, language="python")
if (why := write_versions.keep_problem()) is not None:
    st.warning(plain(why))

pair = write_train.runs()
write_handin.form(kept[0].version if kept else None, [pair[0].id] if pair else [])
