"""The teacher's forms on the Class page: the challenge (its limits, the deadline, closing
it) and class mode. Saved as class-wide settings: every app server reads them within 5 s."""

from __future__ import annotations

import streamlit as st

from runs.challenge import Challenge, parse_deadline, when
from runs.classroom import ClassMode
from ui import teacher
from ui.text import plain


def challenge_form(challenge: Challenge) -> None:
    """The form; once saved, the page is drawn again with the new challenge."""
    with st.form("challenge"):
        a, b, c = st.columns(3)
        hidden = a.number_input("At most hidden units (0: no limit)", 0, 10_000,
                                _shown(challenge.max_hidden, 10_000), key="ch_hidden")  # fmt: skip
        passes = b.number_input("At most iterations (0: no limit)", 0, 1_000,
                                _shown(challenge.max_iterations, 1_000), key="ch_iter")  # fmt: skip
        batch = c.number_input("At most batch size (0: no limit)", 0, 60_000,
                               _shown(challenge.max_batch, 60_000), key="ch_batch")  # fmt: skip
        seconds = a.number_input("At most seconds of training (0: no limit)", 0, 86_400,
                                 _shown(challenge.max_seconds, 86_400),
                                 key="ch_seconds")  # fmt: skip
        deadline = b.text_input("Deadline (YYYY-MM-DD HH:MM, server time; empty: none)",
                                "" if challenge.deadline is None else when(challenge.deadline),
                                key="ch_deadline")  # fmt: skip
        augment = c.checkbox("Augmentation allowed", challenge.allow_augment, key="ch_augment")
        show = st.checkbox("Show the leaderboard to students", challenge.show_students,
                           key="ch_show")  # fmt: skip
        closed = st.checkbox("Closed: students see the private scores", challenge.closed,
                             key="ch_closed")  # fmt: skip
        if not st.form_submit_button("Set the challenge"):
            return
    try:
        limits = [int(v) or None for v in (hidden, passes, batch, seconds)]
        new = Challenge(*limits[:2], show, limits[2], augment, limits[3],
                        parse_deadline(deadline), closed)  # fmt: skip
    except ValueError as e:
        st.error(f"Not set: {plain(str(e))}.")
        return
    if teacher.save_setting("challenge", new.as_dict()):
        st.rerun()  # every part of the page, the live view too, with the new challenge


def _shown(limit: int | None, most: int) -> int:
    """A stored limit as its box shows it: 0 for none, one past the box's range at its end
    (a value outside it would stop the page above the form that fixes it)."""
    return min(limit or 0, most)


def class_mode_form(titles: dict[str, str]) -> None:
    """The class mode's form; titles: {slug: title} of every lesson the app has, in order."""
    mode = teacher.class_mode()
    with st.form("class_mode"):
        slugs = list(titles)
        kept = [s for s in mode.lessons or slugs if s in slugs]  # one the app no longer has: out
        chosen = st.multiselect("Lessons students see", slugs, kept,
                                format_func=titles.get, key="cm_lessons")  # fmt: skip
        lock = st.checkbox("Lock the data (no MNIST download or upload, no server paths)",
                           mode.lock_data, key="cm_lock")  # fmt: skip
        note = st.text_input("A note at the top of Home", mode.note, max_chars=300, key="cm_note")
        if st.form_submit_button("Set class mode"):
            every = set(chosen) == set(slugs)
            new_mode = ClassMode(None if every else tuple(chosen), lock, note.strip())
            if teacher.save_setting("class_mode", new_mode.as_dict()):
                st.success("Class mode set: every app server shows it within 5 seconds.")
