"""MNIST Backprop Lab: the router. Page config, navigation, the active dataset in the sidebar."""

import streamlit as st

from ui import announce, charts, router, server, state, sweep, workspace

server.configure()  # once per process: BLAS on one thread (page code never changes it)
st.set_page_config(page_title="MNIST Backprop Lab", page_icon=router.ICON, layout="wide")
if problem := server.start_up_problem():  # e.g. a teacher's key too short: one sentence
    st.error(problem)
    st.stop()
st.html(charts.TOUCH_STYLE)  # no Plotly toolbar over the charts' titles on a touch screen

page = router.navigate()  # the pages check it: a first visit by a link must come through here

state.keep_widget_values()
sweep.start()  # closed tabs' sessions and uploads are freed without waiting for a visitor
data = state.dataset()
announce.announce(state.shared_dataset())  # the store and the data, to the log
with st.sidebar:
    workspace.remember()  # this browser finds its runs again after a reload
    if problem := state.store_problem():
        st.warning(problem)
    if problem := state.source_problem():
        st.error(problem)
    st.caption("Data")
    st.markdown(
        f"**{data.label}**  \n{len(data.y_train):,} training · {len(data.y_test):,} test images"
    )
    run = state.current_run()
    if run is not None and run.active:
        st.caption(f"Training {run.label} …")
del data, run  # Streamlit keeps the last run's globals (its __main__): no upload held there
page.run()
