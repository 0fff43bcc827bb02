"""A setting the server cannot start with is said in one line, once: never a traceback on
every page, never a store URL retried for ever (issue 27, item 8)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from runs import scheduler as scheduler_module
from runs.scheduler import SettingsError, get_scheduler

from .conftest import ROOT

BAD = [
    ("MNIST_LAB_KEEP_DAYS", "abc", "MNIST_LAB_KEEP_DAYS='abc' is not a number of days"),
    ("MNIST_LAB_KEEP_DAYS", "0", "MNIST_LAB_KEEP_DAYS='0' must be a number of days > 0"),
    ("MNIST_LAB_WORKSPACE_MB", "0", "MNIST_LAB_WORKSPACE_MB='0' must be >= 1"),
    ("MNIST_LAB_STORE", "runs.sqlite", "MNIST_LAB_STORE='runs.sqlite' is not a database URL"),
    ("MNIST_LAB_STORE", "mysql://db/lab", "names 'mysql': use SQLite or PostgreSQL"),
]


@pytest.fixture
def fresh(monkeypatch):
    """No scheduler yet in this process (the tests' own is put back afterwards)."""
    monkeypatch.setattr(scheduler_module, "_scheduler", None)
    monkeypatch.setattr(scheduler_module, "_refused", None)
    return monkeypatch


@pytest.mark.parametrize(("name", "value", "said"), BAD, ids=[f"{n}={v}" for n, v, _ in BAD])
def test_a_bad_setting_is_refused_once_in_one_line(fresh, name, value, said, caplog):
    fresh.setenv(name, value)
    with pytest.raises(SettingsError) as first:
        get_scheduler()
    assert said in str(first.value) and "\n" not in str(first.value)
    with pytest.raises(SettingsError) as again:
        get_scheduler()  # asked again (every page): the same answer, nothing started
    assert again.value is first.value and scheduler_module._scheduler is None
    assert caplog.text.count(said) == 1


def test_a_page_says_the_bad_setting_instead_of_a_traceback(fresh):
    fresh.setenv("MNIST_LAB_KEEP_DAYS", "abc")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The app cannot start: MNIST_LAB_KEEP_DAYS='abc' is not a number of days."
    ]
