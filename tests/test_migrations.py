"""A store made by an older version opens in this one: upgraded in place, nothing lost."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from runs import schema
from runs.store import Store

from .postgres import new_database
from .test_store import report, row

V1_SCHEMA = Path(__file__).parent / "fixtures" / "schema_v1.py"


def v1_schema():
    """runs/schema.py as commit bec50be had it (tests/fixtures/schema_v1.py, verbatim)."""
    spec = importlib.util.spec_from_file_location("schema_v1", V1_SCHEMA)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_v1_store(url: str) -> None:
    """A version-1 store with a run, its reports, a hand-in and an orphaned report (left by a
    "forget" while reports were pending), made as version 1's Store._prepare made one."""
    v1 = v1_schema()
    engine = sa.create_engine(url)
    v1.metadata.create_all(engine)
    v1_row = {k: v for k, v in row("r1", "w" * 64, status="finished").items()}
    with engine.begin() as c:
        c.execute(v1.meta.insert().values(key="schema", value=str(v1.SCHEMA_VERSION)))
        c.execute(v1.runs.insert().values(**v1_row, state=b"x" * 10))
        old_full = row("r2", "w" * 64, status="finished") | {"data_kind": "directory"}
        c.execute(v1.runs.insert().values(**old_full))  # version 1 named full MNIST by its folder
        c.execute(v1.reports.insert(), [report(i) for i in range(4)])
        c.execute(v1.reports.insert().values(run_id="gone", seq=0, values="{}"))
        hand = {"run_id": "r1", "workspace": "w" * 64, "nickname": "ada", "created": time.time()}
        c.execute(v1.handins.insert().values(**hand))
    engine.dispose()
    assert v1.SCHEMA_VERSION == 1


@pytest.fixture(params=["sqlite", "postgresql"])
def v1_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    else:
        url = new_database(request.getfixturevalue("postgres_admin"))
    make_v1_store(url)
    return url


def test_a_version_1_store_is_upgraded_and_keeps_its_runs_reports_and_hand_ins(v1_url):
    store = Store(v1_url)
    try:
        found, full = sorted(store.load_workspace("w" * 64), key=lambda r: r.row["id"])
        assert found.row["status"] == "finished" and len(found.reports) == 4
        assert full.row["data_kind"] == "full"  # one word for a run's data, as its spec says
        assert found.row["name"] == "" and found.row["hidden"] is False
        assert store.handed_in_ids("w" * 64) == {"r1": "ada"}
        with store.engine.connect() as c:
            version = c.execute(sa.text("SELECT value FROM meta WHERE key = 'schema'")).scalar()
            orphans = c.execute(sa.text("SELECT count(*) FROM reports WHERE run_id = 'gone'"))
            assert int(version) == schema.SCHEMA_VERSION and orphans.scalar() == 0
    finally:
        store.close()


def test_an_upgraded_store_deletes_a_runs_reports_and_hand_ins_with_it(v1_url):
    Store(v1_url).close()  # upgraded
    store = Store(v1_url)  # opened again: nothing to do, nothing broken
    try:
        store.delete_runs("w" * 64, ["r1", "r2"])
        with store.engine.connect() as c:
            left = [c.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                    for t in ("runs", "reports", "handins")]  # fmt: skip
        assert left == [0, 0, 0]
    finally:
        store.close()


def test_a_report_of_a_run_that_is_gone_is_refused_by_the_database(v1_url):
    """The foreign key the upgrade added: no more orphans (the writer sets such a row aside)."""
    store = Store(v1_url)
    try:
        with pytest.raises(sa.exc.IntegrityError):
            store.write(report_rows=[{**report(0), "run_id": "never"}])
    finally:
        store.close()


def test_a_new_store_is_made_at_the_current_version_with_its_keys(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'new.sqlite'}")
    try:
        store.write([row()], [report(0)], {})
        store.delete_runs("w" * 64, ["r1"])
        with store.engine.connect() as c:
            assert c.execute(sa.text("SELECT count(*) FROM reports")).scalar() == 0
            fks = sa.inspect(c).get_foreign_keys("reports")
        assert fks[0]["referred_table"] == "runs" and fks[0]["options"]["ondelete"] == "CASCADE"
    finally:
        store.close()


def test_one_unreadable_run_is_shown_as_such_and_the_workspace_keeps_the_others(tmp_path):
    """A spec a later version wrote (a setting renamed, a rule tightened) costs that run only."""
    from runs import stored

    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    store = Store(url)
    newer = json.dumps({"version": 9, "config": {"hidden_size": -3}, "data": "sample"})
    unknown = json.dumps({"version": 9, "config": {"hidden_size": 8, "glow": 1}, "data": "sample"})
    store.write([row("bad", "w" * 64, spec=newer), row("odd", "w" * 64, spec=unknown), row()])
    found = store.load_workspace("w" * 64)
    store.close()
    read = {r.id: r for r in (stored.run_from_store(f, "me", set()) for f in found)}
    assert set(read) == {"bad", "odd", "r1"}
    assert read["bad"].status == "failed" and not read["bad"].continuable
    assert read["bad"].message.startswith("this run was saved by another version and cannot be")
    assert read["odd"].config.hidden_size == 8  # an unknown setting left out, the run read
