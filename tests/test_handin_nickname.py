"""The hand-in nickname: remembered by the workspace, and a shared one told in a sentence."""

from __future__ import annotations

import pytest

from ui import workspace

from .test_class_page import KEY, hand_in
from .test_pages import texts
from .test_workspace_page import open_app, trained


@pytest.fixture
def teacher_key(monkeypatch):
    monkeypatch.setenv("MNIST_LAB_TEACHER_KEY", KEY)


def test_the_nickname_is_offered_again_after_a_reload_of_the_workspace(teacher_key):
    at = open_app()
    trained(at)
    hand_in(at, "ada lovelace")
    token = at.session_state[workspace.TOKEN]
    again = open_app({"work": token})  # the same browser after a reload: a new session
    trained(again)
    assert again.text_input(key="train_handin_nickname").value == "ada lovelace"


def test_a_nickname_another_student_used_is_told_with_the_name_the_teacher_sees(teacher_key):
    first, second = open_app(), open_app()
    trained(first), trained(second)
    hand_in(first, "ana")
    assert "Another student" not in texts(first)
    hand_in(second, "ana")
    assert not second.exception, [e.value for e in second.exception]
    tag = second.session_state[workspace.TOKEN]
    said = texts(second).replace("\\", "")  # Markdown escapes
    assert "Another student also handed in as ana: your teacher sees yours as “ana #" in said
    owner = workspace.hashlib.sha256(tag.encode()).hexdigest()
    assert f"“ana #{owner[:4]}”" in said
