"""The Train page keeps the run on screen in the address: a reload shows it again."""

from __future__ import annotations

from runs.scheduler import get_scheduler
from ui.workspace import new_token

from .test_pages import current_run, open_train_link, wait_for_run

LONG = {"hidden_size": "10", "batch_size": "16", "iterations": "200"}  # stopped, never finished


def start_and_stop(at) -> str:
    at.button(key="start").click().run()
    run = current_run(at)
    get_scheduler().stop(run.id, run.workspace)
    wait_for_run(at, timeout=60)  # Stop is a request: the worker ends the run at its next report
    return run.id


def test_a_reload_shows_the_run_in_the_address_not_the_workspaces_newest():
    work = new_token()
    at = open_train_link(work, **LONG)
    studied = start_and_stop(at)
    assert at.query_params["run"] == studied  # the address names the run on screen
    newest = start_and_stop(at)  # e.g. a lesson's run, started later in the same workspace
    assert newest != studied
    reloaded = open_train_link(work, run=studied, **LONG)  # F5 on the first run's address
    assert current_run(reloaded).id == studied
    assert reloaded.query_params["run"] == studied


def test_an_address_naming_another_workspaces_run_shows_this_workspaces_own():
    theirs = start_and_stop(open_train_link(new_token(), **LONG))
    at = open_train_link(new_token(), run=theirs, **LONG)
    assert "run" not in at.query_params and "current_run" not in at.session_state
    assert "press **Start**" in at.info[0].value  # no run on screen, not theirs
