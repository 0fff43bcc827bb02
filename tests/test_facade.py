"""What pages ask of the scheduler about the class and a workspace's kept work (API.md):
hand-ins, class settings, names, code; each with a fallback while the database is away."""

from __future__ import annotations

import pytest

from mlcore.train import TrainConfig
from runs import code_store
from runs.limits import LimitError
from runs.scheduler import Scheduler
from runs.store import StoreError
from runs.writer import StoreWriter

from .test_scheduler import SAMPLE, limits, submit, wait_for

QUICK = TrainConfig(hidden_size=8, iterations=1, batch_size=500)


@pytest.fixture
def servers(tmp_path):
    made = []

    def start(url: str | None = None, **changes) -> Scheduler:
        store = (
            None if url == "memory" else StoreWriter(url or f"sqlite:///{tmp_path / 'r.sqlite'}")
        )
        made.append(Scheduler(limits(workers=1, **changes), prewarm=SAMPLE, store=store))
        return made[-1]

    yield start
    for s in made:
        s.close()


def finished(s: Scheduler, workspace: str):
    run = submit(s, QUICK, session=workspace)
    return wait_for(s, run, lambda r: r.status == "finished", what="a finished run")


def test_a_hand_in_is_in_the_database_when_hand_in_returns_with_its_reports(servers):
    s = servers()
    run = finished(s, "ada")
    assert s.hand_in("ada", [run.id], "Ada") is True
    assert s.handed_in_ids("ada") == {run.id: "Ada"}
    (handed,) = s.handed_in()
    assert handed.row["nickname"] == "Ada" and len(handed.reports) == len(run.history) > 0


def test_another_workspace_cannot_hand_in_a_run(servers):
    s = servers()
    run = finished(s, "ada")
    assert s.hand_in("mallory", [run.id], "Mallory") is False
    assert s.handed_in() == [] and s.handed_in_ids("mallory") == {}


def test_class_settings_round_trip_and_are_none_until_set(servers):
    s = servers()
    assert s.class_setting("challenge") is None
    s.set_class_setting("challenge", {"max_hidden": 20})
    assert s.class_setting("challenge") == {"max_hidden": 20}


def test_names_and_hidden_flags_are_kept_by_the_store(servers, tmp_path):
    url = f"sqlite:///{tmp_path / 'named.sqlite'}"
    s = servers(url)
    run = finished(s, "ada")
    assert s.rename("ada", run.id, "  first   try ").name == "first try"
    assert s.set_hidden("ada", run.id, True).hidden is True
    with pytest.raises(ValueError, match="at most 60 characters"):
        s.rename("ada", run.id, "x" * 61)
    with pytest.raises(ValueError, match="invisible"):
        s.rename("ada", run.id, "\u3164\u3164")
    with pytest.raises(KeyError):
        s.rename("mallory", run.id, "mine now")
    s.close()
    (back,) = servers(url).runs_of("ada")
    assert (back.name, back.hidden) == ("first try", True)


def test_code_versions_are_numbered_newest_first_and_handed_in_with_a_nickname(servers):
    for s in (servers(), servers("memory")):
        assert s.save_code("ada", "def f(): pass", {"ok": False}) == 1
        assert s.save_code("ada", "def f(): return 1", {"ok": True}) == 2
        assert [v.version for v in s.code_versions("ada")] == [2, 1]
        assert s.code_versions("bob") == []
        s.hand_in("ada", [], "Ada", code_version=2)
        (code,) = s.handed_in_code()
        assert (code.workspace, code.version, code.nickname, code.check) == (
            "ada", 2, "Ada", {"ok": True},
        )  # fmt: skip


def test_while_the_database_is_away_reads_fall_back_and_writes_say_why(servers, tmp_path):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    s = servers(f"sqlite:///{blocker / 'runs.sqlite'}")
    assert "cannot create the data folder" in s.store_problem()
    assert s.handed_in() == [] and s.handed_in_ids("ada") == {} and s.code_versions("ada") == []
    assert s.class_setting("challenge") is None and s.handed_in_code() == []
    with pytest.raises(StoreError, match="away"):
        s.set_class_setting("challenge", {"max_hidden": 20})
    with pytest.raises(StoreError, match="away"):
        s.save_code("ada", "x = 1", {})
    run = finished(s, "ada")
    assert s.hand_in("ada", [run.id], "Ada", timeout=0.5) is False  # kept and retried


def test_stop_and_resume_act_only_for_the_runs_workspace(servers):
    s = servers("memory")
    run = submit(s, TrainConfig(hidden_size=8, iterations=1000, batch_size=8), session="ada")
    s.stop(run.id, "mallory")
    assert s.get(run.id).active and not s.get(run.id).stopping
    s.stop(run.id, "ada")
    stopped = wait_for(s, run, lambda r: not r.active, what="the stop")
    s.resume(run.id, "mallory")
    assert s.get(run.id).status == stopped.status == "stopped"


def test_a_delete_while_the_database_is_away_is_kept_and_done_when_it_is_back(
    servers, tmp_path, monkeypatch
):
    url = f"sqlite:///{tmp_path / 'away.sqlite'}"
    s = servers(url)
    run = finished(s, "ada")
    assert s.store.flush(10)
    real = s.store._write_pending
    monkeypatch.setattr(s.store, "_write_pending", lambda: False)  # the database is away
    assert s.delete("ada", [run.id]) == 1  # gone here at once (never "Nothing was deleted")
    s._book.workspaces["ada"].loaded = False  # as after its tabs closed: read back again
    assert s.runs_of("ada") == []  # the store still has it, yet it is not read back
    monkeypatch.setattr(s.store, "_write_pending", real)  # back
    assert s.store.flush(10)
    assert servers(url).runs_of("ada") == []  # the store forgot it too


def test_past_the_newest_versions_the_oldest_not_handed_in_are_dropped(servers, monkeypatch):
    monkeypatch.setattr(code_store, "VERSIONS_KEPT", 3)
    for s in (servers(), servers("memory")):
        s.save_code("ada", "v = 1", {})
        s.hand_in("ada", [], "Ada", code_version=1)
        for n in range(2, 7):
            assert s.save_code("ada", f"v = {n}", {}) == n
        assert [v.version for v in s.code_versions("ada")] == [6, 5, 4, 1]


def test_a_check_report_over_64_kb_is_kept_as_an_error_not_whole(servers):
    for s in (servers(), servers("memory")):
        s.save_code("ada", "x = 1", {"log": "y" * (code_store.CHECK_MAX + 1)})
        (kept,) = s.code_versions("ada")
        assert set(kept.check) == {"error"} and "64 KB" in kept.check["error"]


def test_code_versions_count_in_the_workspace_quota(servers):
    s = servers(workspace_bytes=10_000)
    assert s.stored_bytes("ada") == 0
    s.save_code("ada", "x = 1\n" * 2000, {"ok": True})
    assert s.stored_bytes("ada") > 12_000
    with pytest.raises(LimitError, match="MB"):
        s.save_code("ada", "x = 2", {})
    assert len(s.code_versions("ada")) == 1
