"""The class challenge where students work: its rules in a small box (Train page, Lessons
page, the students' Class page) and, at Hand in, which rule a run breaks. Shown only when a
teacher's key is set and the teacher set a limit; the rules themselves are runs.classroom's."""

from __future__ import annotations

import time

import streamlit as st

from runs.challenge import Challenge
from ui import teacher


def show(challenge: Challenge | None = None) -> None:
    """The challenge's rules, when there is one (one line on the page otherwise: nothing)."""
    if not teacher.key_set():
        return
    challenge = teacher.challenge() if challenge is None else challenge
    if not challenge.is_set:
        return
    rules = "\n".join(f"- {rule}" for rule in challenge.rules())
    state = ("closed: the private scores are out" if challenge.closed
             else "each student's best finished run that keeps to these counts")  # fmt: skip
    st.info(f"**Class challenge** ({state}):\n{rules}", icon=":material/emoji_events:")


def reasons(runs: list, challenge: Challenge | None = None) -> list[str]:
    """Why the runs (runs.run.Run) being handed in do not qualify for the challenge, e.g.
    ["hidden units 200 > 100"]; [] when they do or there is no challenge. A run that has not
    finished cannot be ranked, and says so."""
    challenge = teacher.challenge() if challenge is None else challenge
    if not challenge.is_set:
        return []
    out = []
    for run in runs:
        seconds = run.history[-1].elapsed if run.history else None
        why = challenge.reasons(run.config, seconds, time.time())
        if run.status != "finished":
            why.append(f"it is {run.status}, not finished")
        out.extend(why)
    return list(dict.fromkeys(out))


def hand_in_note(runs: list) -> None:
    """After a hand-in: say whether it counts for the challenge, and if not, why."""
    why = reasons(runs)
    if why:
        st.warning("Handed in, but it does not count for the challenge: " + "; ".join(why) + ".")
