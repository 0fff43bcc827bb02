"""Workspaces through AppTest: the private link, forged tokens, forgetting, the store's word."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from runs.scheduler import get_scheduler
from ui import workspace

from .test_pages import open_page, texts, wait_for_run


def open_app(query: dict | None = None, page: str | None = None) -> AppTest:
    return open_page(page, query)


def trained(at: AppTest) -> str:
    """Train a small run on at's Train page; returns its id."""
    at.switch_page("pages/train.py")
    at.run()
    at.select_slider(key="hidden_size").set_value(20)
    at.slider(key="iterations").set_value(1)
    at.button(key="start").click().run()
    wait_for_run(at)
    return at.session_state["current_run"]


def test_the_private_link_opens_the_same_work_and_leaves_the_address_bar():
    first = open_app()
    run_id = trained(first)
    token = first.session_state[workspace.TOKEN]
    other = open_app({"work": token})  # another device opens the "my work" link
    assert "work" not in other.query_params  # never kept in the address bar, nor shared on
    assert "1 run kept" in texts(other)
    assert run_id in {r.id for r in get_scheduler().runs_of(workspace_owner(other))}


def test_a_forged_or_unknown_token_opens_an_empty_workspace_never_anothers():
    first = open_app()
    trained(first)
    token = first.session_state[workspace.TOKEN]
    for forged in (token[:-1], token + "x", "../" + token[3:], "<b>" + token[3:], ""):
        at = open_app({"work": forged})
        assert at.session_state[workspace.TOKEN] != token
        assert "Nothing yet" in texts(at)
    unknown = open_app({"work": workspace.new_token()})
    assert "Nothing yet" in texts(unknown)


def test_forget_my_work_deletes_the_runs_and_starts_a_new_workspace():
    at = open_app()
    trained(at)
    at.switch_page("pages/home.py")
    at.run()
    old = at.session_state[workspace.TOKEN]
    at.checkbox(key="your_work_forget_sure").check().run()
    at.button(key="forget_work").click().run()
    assert at.session_state[workspace.TOKEN] != old
    assert "Nothing yet" in texts(at)
    again = open_app({"work": old})  # the old link finds nothing any more
    assert "Nothing yet" in texts(again)


def test_runs_can_be_deleted_from_your_work():
    at = open_app()
    run_id = trained(at)
    at.switch_page("pages/home.py")
    at.run()
    at.multiselect(key="your_work_delete").select(run_id).run()
    at.button(key="your_work_delete_button").click().run()
    assert "Nothing yet" in texts(at)


def test_the_sidebar_says_plainly_when_work_is_not_being_saved(monkeypatch):
    writer = get_scheduler().store
    database_away(writer, monkeypatch, "database or disk is full (sqlite:///x)")
    warnings = [w.value for w in open_app().sidebar.warning]  # (AppTest: first run only)
    assert any(
        w.startswith("Your work is not being saved: database or disk is full") for w in warnings
    ), warnings


def workspace_owner(at: AppTest) -> str:
    import hashlib

    return hashlib.sha256(at.session_state[workspace.TOKEN].encode()).hexdigest()


def test_a_link_to_another_workspace_is_offered_never_switched_silently(monkeypatch):
    mine, theirs = workspace.new_token(), workspace.new_token()
    monkeypatch.setattr(workspace, "_cookie", lambda: mine)  # this browser's own work
    at = open_app({"work": theirs})
    assert at.session_state[workspace.TOKEN] == mine
    assert any("different workspace" in w.value for w in at.warning)
    at.button(key="workspace_stay").click().run()
    assert at.session_state[workspace.TOKEN] == mine and not at.warning
    again = open_app({"work": theirs})
    again.button(key="workspace_switch").click().run()
    assert again.session_state[workspace.TOKEN] == theirs


def database_away(writer, patcher, problem: str) -> None:
    """From now on writer's batches fail with problem, as while the database is away; returns
    once the writer's thread has tried (a write it had begun before cannot clear problem)."""
    import threading

    tried = threading.Event()

    def fail() -> bool:
        tried.set()
        return False

    patcher.setattr(writer, "_write_pending", fail)
    writer.flush(0)  # wake the writer's thread
    assert tried.wait(10), "the writer's thread did not try"
    patcher.setattr(writer, "problem", problem)


def test_work_kept_one_day_is_said_in_the_singular(monkeypatch):
    monkeypatch.setenv("MNIST_LAB_KEEP_DAYS", "1")
    at = open_app()
    trained(at)
    at.switch_page("pages/home.py").run()
    assert "are kept 1 day after your last visit" in texts(at)  # not "1 days"
