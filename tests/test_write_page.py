"""The Write page through AppTest: the skeleton shows, a paste is checked, sentences are plain."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from mlcore.check import CheckReport, skeleton
from tests.lab_mistakes_cases import REFERENCE, with_function
from ui import keys

from .test_pages import open_page


def paste_and_check(source: str) -> AppTest:
    at = open_page("pages/write.py")
    at.radio(key=keys.WRITE_MODE).set_value("paste").run()
    at.text_area(key=keys.WRITE_PASTE).input(source).run()
    at.button(key=keys.WRITE_CHECK).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_text(at: AppTest) -> str:
    parts = (
        [t.value for t in at.text] + [c.value for c in at.code] + [s.value for s in at.subheader]
    )
    return "\n".join(parts + [e.value for e in at.error])


def test_the_editor_starts_from_the_skeleton():
    at = open_page("pages/write.py")
    editors = [e for e in at.get("component_instance") if keys.WRITE_EDITOR in str(e.proto)]
    assert editors, "the code editor is on the page"
    assert "def prepend_bias(X):" in skeleton() and "NotImplementedError" in str(editors[0].proto)


def test_a_correct_paste_passes_every_check():
    at = paste_and_check(REFERENCE)
    assert "11 of 11 checks pass" in shown_text(at)


def test_a_mistake_gets_its_sentence_as_plain_text():
    code = "def loss(Y, y_hat):\n    return -np.sum(Y * np.log(y_hat))  # **not bold**\n"
    at = paste_and_check(with_function(code))
    sentences = [t.value for t in at.text]
    assert any("The sum is not divided by n" in s for s in sentences)
    assert "9 of 11 checks pass" in shown_text(at)  # loss, and the gradient check of its loss


def test_a_notebook_paste_says_what_is_skipped():
    at = paste_and_check("!mkdir data\nimport gdown\n%matplotlib inline\n" + REFERENCE)
    said = shown_text(at)
    assert "notebook command: skipped" in said and "imports gdown" in said
    assert "11 of 11 checks pass" in said
    assert "Traceback" not in said


def test_each_checked_version_is_listed():
    at = paste_and_check(REFERENCE)
    at.button(key=keys.WRITE_CHECK).click().run()
    titles = [e.label for e in at.expander]
    assert any(t.startswith("Version 2: 11 of 11 checks pass") for t in titles)


def test_hand_in_sends_the_checked_version_to_the_class(monkeypatch):
    from runs.scheduler import get_scheduler
    from ui import teacher

    monkeypatch.setenv(teacher.KEY_ENV, "a teacher's key")
    at = paste_and_check(REFERENCE)
    nickname = f"ada-{id(at) % 10_000}"
    at.text_input(key=keys.WRITE_HANDIN_NICKNAME).input(nickname)  # a form: sent with the press
    at.button(key=keys.WRITE_HANDIN).click().run()
    assert any("Handed in as" in s.value for s in at.success), [e.value for e in at.error]
    handed = [c for c in get_scheduler().handed_in_code() if c.nickname == nickname]
    assert len(handed) == 1 and CheckReport.from_dict(handed[0].check).passed


def test_a_wrong_back_trained_says_where_the_curves_part():
    import time

    forgot_n = with_function(
        "def back(X, Y, y_hat, w2, h):\n"
        "    w2_gradient = np.matmul(prepend_bias(h).T, (y_hat - Y))\n"
        "    w1_gradient = np.matmul(prepend_bias(X).T,"
        " np.matmul(y_hat - Y, w2[1:].T) * sigmoid_gradient(h))\n"
        "    return (w1_gradient, w2_gradient)\n"
    )
    at = open_page("pages/write.py")
    at.radio(key=keys.WRITE_MODE).set_value("paste").run()
    at.text_area(key=keys.WRITE_PASTE).input(forgot_n).run()
    at.button(key=keys.WRITE_TRAIN).click().run()
    deadline = time.monotonic() + 600  # a bound on the final state, not a speed assumption
    while at.session_state[keys.WRITE_POLLING] and time.monotonic() < deadline:
        time.sleep(1)
        at.run()
    assert not at.session_state[keys.WRITE_POLLING], "both runs ended"
    said = [t.value for t in at.text if "curves part" in t.value]
    assert said and said[0].startswith("The curves part at iteration")


def test_a_visitor_who_says_they_are_local_runs_no_code_unsandboxed_without_the_setting(
    monkeypatch,
):
    import streamlit as st

    from runs import sandbox
    from ui import visitor, write_check

    monkeypatch.setattr(sandbox, "_status", sandbox.SandboxStatus(False, "no bwrap here"))
    monkeypatch.setattr(visitor, "is_local", lambda: True)  # the browser's address bar says so
    monkeypatch.setattr(st, "get_option", lambda name: "127.0.0.1")
    monkeypatch.delenv(sandbox.UNSANDBOXED_SETTING, raising=False)
    assert not write_check.same_machine()
    assert write_check.where_code_runs()[0] is False
    monkeypatch.setenv(sandbox.UNSANDBOXED_SETTING, "1")  # scripts/app.sh, bwrap missing
    assert write_check.same_machine() and write_check.where_code_runs()[0]
