"""Class: the teacher's live view of the class (ui/class_teacher), the challenge and class
mode; students see the challenge and, if the teacher shows it, its leaderboard."""

import streamlit as st

from mlcore.lessons import LESSONS
from ui import challenge_box, class_board, class_forms, class_teacher, router, teacher

router.ensure()  # a first visit by a link (/class_view) still goes through app.py

st.title("The class")
challenge = teacher.challenge()
if not teacher.is_teacher():
    challenge_box.show(challenge)
    if challenge.show_students:
        st.subheader("Leaderboard")
        class_board.students_board()
    st.info("This page is for your teacher: the runs handed in are shown only with the key.")
    with st.form("teacher_key"):
        given = st.text_input("Teacher's key", type="password")
        if st.form_submit_button("Open the class view"):
            if (why := teacher.try_key(given)) is None:
                st.rerun()
            st.error(why)
    st.stop()

class_teacher.view()  # redraws itself every few seconds, reading the challenge each time

st.header("Challenge")
class_forms.challenge_form(challenge)  # saved: the page is drawn again with it
st.caption(f"The challenge: {challenge.rule()}.")

st.header("Class mode")
class_forms.class_mode_form({lesson.slug: lesson.title for lesson in LESSONS})
