"""A PostgreSQL server of the test run's own (Debian's package), on 127.0.0.1 only, set up as
a stock Debian install is: TCP connections must give a password (scram-sha-256), so every URL
the tests use carries one, as README "Serving a class" tells a teacher to write it."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

PG_ROOT = Path("/usr/lib/postgresql")


def _bin() -> Path | None:
    versions = sorted(PG_ROOT.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


def require_postgres() -> Path:
    """The server's bin folder; missing: fails in CI, else skips saying why."""
    found = _bin()
    if found is None:
        why = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("CI"):
            pytest.fail(f"the PostgreSQL tests must run in CI: {why}")
        pytest.skip(why)
    return found


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


USER = "lab"
PASSWORD = "lab-pw-" + uuid.uuid4().hex[:8]  # random per test run, never a real one


class Cluster:
    """A throw-away cluster: its admin URL, and stop()/start() for a test of an outage."""

    def __init__(self, bin_dir: Path, folder: Path, port: int):
        self.port = port
        self.url = f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres"
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl = [str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-w"]
        self._start = [*self._ctl, "-l", str(folder / "log"), "-o", options, "start"]

    def start(self) -> None:
        subprocess.run(_as_postgres(self._start), check=True, capture_output=True, timeout=60)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(_as_postgres([*self._ctl, "-m", mode, "stop"]), capture_output=True)


@contextlib.contextmanager
def postgres_cluster():
    """Start a throw-away cluster (user lab with a password, scram-sha-256 on TCP as Debian's
    pg_hba.conf asks, loopback only); yields its Cluster."""
    bin_dir = require_postgres()
    folder = Path(tempfile.mkdtemp(prefix="mnist-lab-pg-"))
    (folder / "pw").write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(folder / "pw", "postgres", "postgres")
    initdb = [
        str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", USER,
        "--pwfile", str(folder / "pw"), "--auth-host=scram-sha-256", "--auth-local=peer",
    ]  # fmt: skip
    subprocess.run(_as_postgres(initdb), check=True, capture_output=True, timeout=60)
    (folder / "pw").unlink()
    cluster = Cluster(bin_dir, folder, _free_port())
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_server():
    """As postgres_cluster, yielding only its admin URL."""
    with postgres_cluster() as cluster:
        yield cluster.url


def new_database(admin_url: str) -> str:
    """A new empty database on the server of admin_url; returns its URL."""
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"
