"""Bringing a store written by an older version up to runs.schema, step by step.

A short ordered list of steps, each taking the database from version n to n + 1, applied in
one transaction with the `schema` row of the meta table: a store is at one version or the one
before, never in between. Not Alembic: it would add a dependency and its own env/ini
machinery (and a version table of its own) for a handful of steps that fit on a page, on the
two databases runs.schema supports. Each step spells the tables as they were at its version,
so a later change of runs.schema never changes what an old step does.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from runs import schema


def version(c: sa.Connection) -> int | None:
    """The store's schema version; None for an empty database."""
    if not sa.inspect(c).has_table("meta"):
        return None
    q = sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema")
    found = c.execute(q).scalar()
    return None if found is None else int(found)


def upgrade(c: sa.Connection, found: int) -> None:
    """Apply every step from version found to schema.SCHEMA_VERSION (the caller's transaction)."""
    for step in STEPS[found - 1 : schema.SCHEMA_VERSION - 1]:
        step(c)
    done = sa.update(schema.meta).where(schema.meta.c.key == "schema")
    c.execute(done.values(value=str(schema.SCHEMA_VERSION)))


def lock(c: sa.Connection) -> None:
    """One server migrates at a time (PostgreSQL; a SQLite file has one writer anyway)."""
    if c.dialect.name == "postgresql":
        c.exec_driver_sql("LOCK TABLE meta IN EXCLUSIVE MODE")


def _v1_to_v2(c: sa.Connection) -> None:
    """Runs get a name and a hidden flag; reports and hand-ins go with their run (ON DELETE
    CASCADE; orphans left by version 1 are dropped); hand-ins may carry a code version; the
    code_versions table is new."""
    c.exec_driver_sql("ALTER TABLE runs ADD COLUMN name VARCHAR(60) DEFAULT '' NOT NULL")
    c.exec_driver_sql("ALTER TABLE runs ADD COLUMN hidden BOOLEAN DEFAULT FALSE NOT NULL")
    for table in ("reports", "handins"):
        c.exec_driver_sql(f"DELETE FROM {table} WHERE run_id NOT IN (SELECT id FROM runs)")
    c.exec_driver_sql("ALTER TABLE handins ADD COLUMN code_version INTEGER")
    if c.dialect.name == "sqlite":  # SQLite adds no constraint to a table: rebuild them
        _rebuild(c, "reports", 'run_id, seq, "values"')
        _rebuild(c, "handins", "run_id, workspace, nickname, lesson, created, code_version")
    else:
        for table in ("reports", "handins"):
            c.exec_driver_sql(
                f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_run_id FOREIGN KEY (run_id) "
                "REFERENCES runs (id) ON DELETE CASCADE"
            )
    _V2_CODE.create(c)


def _rebuild(c: sa.Connection, name: str, columns: str) -> None:
    """SQLite's way to add a constraint: a new table as version 2 has it, the rows copied."""
    for index in sa.inspect(c).get_indexes(name):
        c.exec_driver_sql(f"DROP INDEX {index['name']}")
    frozen = sa.MetaData()
    _V2_RUNS.to_metadata(frozen)
    _V2_TABLES[name].to_metadata(frozen, name=f"{name}_new").create(c)  # indexes: renamed along
    c.exec_driver_sql(f"INSERT INTO {name}_new ({columns}) SELECT {columns} FROM {name}")
    c.exec_driver_sql(f"DROP TABLE {name}")
    c.exec_driver_sql(f"ALTER TABLE {name}_new RENAME TO {name}")


def _cascade() -> sa.ForeignKey:
    return sa.ForeignKey("runs.id", ondelete="CASCADE")


_V2 = sa.MetaData()
_V2_RUNS = sa.Table("runs", _V2, sa.Column("id", sa.String(16), primary_key=True))
_V2_TABLES = {
    "reports": sa.Table(
        "reports",
        _V2,
        sa.Column("run_id", sa.String(16), _cascade(), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("values", sa.Text, nullable=False),
    ),
    "handins": sa.Table(
        "handins",
        _V2,
        sa.Column("run_id", sa.String(16), _cascade(), primary_key=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("nickname", sa.String(64), nullable=False),
        sa.Column("lesson", sa.String(64)),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("code_version", sa.Integer),
        sa.Index("ix_handins_workspace", "workspace"),
    ),
}
_V2_CODE = sa.Table(
    "code_versions",
    _V2,
    sa.Column("workspace", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("check", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("nickname", sa.String(64)),
    sa.Column("handed_in", sa.Float),
)

# STEPS[n - 1] takes a store from version n to n + 1.
STEPS: list[Callable[[sa.Connection], None]] = [_v1_to_v2]
