"""Home's "Your work": what is kept, one zip of everything, deleting, the private link."""

from __future__ import annotations

import streamlit as st

from runs.writer import keep_days
from ui import handin, keys, run_rows, state, teacher, workspace
from ui.export import runs_zip
from ui.text import counted

DELETE = keys.DELETE  # widget keys of this section
FORGET_SURE = keys.FORGET_SURE
AWAY = "Your work is not being saved"  # how Scheduler.store_problem() says the store is away


def section() -> None:
    """The whole section, drawn where it is called."""
    st.subheader("Your work")
    mine = state.runs()
    st.caption(_what_is_kept(len(mine)))
    if _store_away():  # what the database keeps cannot be read now
        st.info(
            "Your runs kept in the database show here again once it is back; what you train "
            "meanwhile is kept on this server and saved then."
        )
    elif not mine:
        st.info("Nothing yet: the runs you train (Train, Lessons) are kept here.")
    if mine:
        st.dataframe([run_rows.row(r) for r in reversed(mine)], hide_index=True)
        st.download_button(
            "Download all my work (.zip)",
            lambda: runs_zip(mine),  # built on click, from the runs captured here
            file_name="mnist-lab-my-work.zip",
            mime="application/zip",
            key="download_zip",
            # no script rerun on the click: Streamlit clears a session's outgoing messages when
            # a full run starts, and the built file's answer, queued then, was lost (the button
            # spun for 3 minutes: seen twice on a loaded CI run, for this zip and the CSV)
            on_click="ignore",
            help="runs.csv (a row per report of every run), and per run its settings and "
            "model (.npz: load it with mlcore.model.load_model or on the Draw page).",
        )
        _delete(mine)
        _hand_in(mine)
    with st.expander("Open your work on another device"):
        st.caption(
            "This link opens your runs in any browser. Anyone who has it can see and delete "
            "them: keep it private. A settings link (from the Train page) never carries it."
        )
        url = st.context.url
        st.code(workspace.link(_base(url) if isinstance(url, str) else ""), language=None)
    _forget()


def _what_is_kept(n: int) -> str:
    used = state.scheduler().stored_bytes(state.workspace_id())
    limit = state.scheduler().limits.workspace_bytes
    size = "" if used is None else f" · {used / 2**20:,.1f} MB of {limit / 2**20:,.0f} MB"
    return (
        f"{counted(n, 'run')} kept{size}. Your runs, their charts and models come back "
        f"after a reload or a server restart, in every tab of this browser, and are kept "
        f"{counted(keep_days(), 'day')} after your last visit. Uploaded data is not kept: a run on "
        "an upload can be looked at and downloaded later, but continued only while the "
        "upload is there."
    )


def _delete(mine: list) -> None:
    ended = {r.id: r for r in mine if not r.active}
    if not ended:
        return
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    chosen = c1.multiselect(
        "Delete runs",
        list(ended),
        key=DELETE,
        format_func=lambda i: ended[i].label,
        placeholder="choose runs to delete",
    )
    if c2.button("Delete", key="your_work_delete_button", disabled=not chosen):
        n = state.scheduler().delete(state.workspace_id(), chosen)
        st.session_state.pop(DELETE, None)
        st.toast(f"Deleted {counted(n, 'run')}.{_later()}")
        st.rerun()


def _hand_in(mine: list) -> None:
    """Any earlier run can be handed in too, not only the one on the Train page."""
    if not teacher.key_set():
        return
    done = {r.id: r for r in mine if not r.active and r.kind == "train" and r.history}
    chosen = st.multiselect(
        "Runs to hand in", list(done), key="your_work_handin_runs",
        format_func=lambda i: done[i].label, placeholder="choose runs to hand in",
    )  # fmt: skip
    handin.form([done[i] for i in chosen], key="your_work_handin", what="the chosen runs")


def _forget() -> None:
    with st.expander("Forget my work"):
        st.caption("Stops your runs and deletes every run of this browser from the server.")
        sure = st.checkbox("Yes, delete all my runs", key=FORGET_SURE)
        if st.button("Forget my work", key="forget_work", disabled=not sure):
            state.scheduler().forget_workspace(state.workspace_id())
            if later := _later():
                st.toast(f"Your work is forgotten here.{later}")
            workspace.replace_token()
            st.session_state.pop(state.CURRENT_RUN, None)
            st.session_state.pop(FORGET_SURE, None)
            st.rerun()


def _store_away() -> bool:
    """The database cannot be reached now (not: a notice about it, such as a file moved aside)."""
    problem = state.store_problem()
    return problem is not None and problem.startswith(AWAY)


def _later() -> str:
    """What to add when the database has not got a deletion yet (it is kept and retried)."""
    if state.store_problem() is None:
        return ""
    return " The database is away: it forgets them as soon as it is back."


def _base(url: str) -> str:
    """The app's address without page path or query: scheme://host[:port]."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else url
