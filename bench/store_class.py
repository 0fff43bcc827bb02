"""A class's load on the run store: K workspaces train, hand in, delete and forget at once.

    python bench/store_class.py [--k 30] [--url URL | --postgresql] [--workers 2]

K workspaces each start a run (a small network on the bundled sample: many reports, little
CPU, so the store is what is tested, not the machine); as each run finishes its workspace
hands it in, and every third workspace then deletes it, every fifth forgets all its work,
while the others still train. Then, against the database: report rows vs reports made per
kept run (none may be lost), no row left of a deleted or forgotten run, every hand-in in the
class view; each Delete / Forget / Hand in must have been written when it returned.
--postgresql starts a PostgreSQL of its own (tests/postgres.py); the default is a new SQLite
file. Prints one line per check and the times the waits took.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcore.data import SAMPLE_DIR
from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs.protocol import DataRef
from runs.scheduler import Limits, Scheduler
from runs.store import Store
from runs.writer import StoreWriter

CONFIG = TrainConfig(hidden_size=16, iterations=10, batch_size=50)  # 2,000 batches: many reports
SAMPLE = DataRef("sample", str(SAMPLE_DIR))
LIMIT = 900.0  # seconds the whole class may take


def train_and_act(s: Scheduler, k: int) -> dict:
    """Start K runs, act on each as it ends; what happened, per workspace."""
    runs = {f"student-{i:02d}": None for i in range(k)}
    for ws in runs:
        runs[ws] = s.submit(ws, RunSpec(CONFIG, "sample"), SAMPLE, "sample", 10_000)
    acts, waits, deadline = (
        {},
        {"hand in": [], "delete": [], "forget": []},
        time.monotonic() + LIMIT,
    )
    while len(acts) < k and time.monotonic() < deadline:
        for i, (ws, run) in enumerate(runs.items()):
            run = s.get(run.id) or run
            if ws in acts or run.active:
                continue
            acts[ws] = {"run": run, "handed": timed(waits["hand in"], s.hand_in, ws, [run.id], ws)}
            if i % 5 == 0:
                timed(waits["forget"], s.forget_workspace, ws)
                acts[ws]["gone"] = True
            elif i % 3 == 0:
                acts[ws]["deleted"] = timed(waits["delete"], s.delete, ws, [run.id]) == 1
                acts[ws]["gone"] = True
        time.sleep(0.05)
    return {"acts": acts, "waits": waits}


def timed(into: list, call, *args):
    start = time.monotonic()
    out = call(*args)
    into.append(time.monotonic() - start)
    return out


def check(url: str, acts: dict) -> list[str]:
    """What the database holds against what was made; one line per check (FAIL marks one)."""
    store = Store(url)
    lines, lost, left = [], 0, 0
    with store.engine.connect() as c:
        for act in acts.values():
            run = act["run"]
            q = sa.text("SELECT count(*) FROM reports WHERE run_id = :r")
            rows = c.execute(q, {"r": run.id}).scalar()
            if act.get("gone"):
                left += rows + c.execute(sa.text("SELECT count(*) FROM runs WHERE id = :r"),
                                         {"r": run.id}).scalar()  # fmt: skip
            else:
                lost += len(run.history) - rows
    handed = {r.row["id"] for r in store.handed_in()}
    kept = [a["run"].id for a in acts.values() if not a.get("gone")]
    store.close()
    made = sum(len(a["run"].history) for a in acts.values() if not a.get("gone"))
    lines.append(f"{'ok' if lost == 0 else 'FAIL'}: reports made {made}, lost {lost}")
    lines.append(f"{'ok' if left == 0 else 'FAIL'}: rows left of deleted/forgotten runs: {left}")
    missing = [r for r in kept if r not in handed]
    lines.append(f"{'ok' if not missing else 'FAIL'}: hand-ins in the class view: "
                 f"{len(kept) - len(missing)} of {len(kept)} kept")  # fmt: skip
    failed = [ws for ws, a in acts.items() if not a["handed"] or a.get("deleted") is False]
    lines.append(f"{'ok' if not failed else 'FAIL'}: hand-ins and deletes written on return: "
                 f"{len(acts) - len(failed)} of {len(acts)}")  # fmt: skip
    return lines


def run_class(url: str, k: int, workers: int) -> int:
    limits = Limits.from_env({"MNIST_LAB_WORKERS": str(workers), "MNIST_LAB_CORES": str(workers)})
    s = Scheduler(limits, prewarm=SAMPLE, store=StoreWriter(url))
    start = time.monotonic()
    try:
        done = train_and_act(s, k)
        assert s.store.flush(60), s.store.problem
    finally:
        s.close()
    print(f"K = {k} on {url.split(':', 1)[0]}: {time.monotonic() - start:.0f} s, "
          f"{len(done['acts'])} of {k} runs ended")  # fmt: skip
    for what, times in done["waits"].items():
        if times:
            print(f"  {what}: {len(times)} calls, median {statistics.median(times) * 1000:.0f} ms, "
                  f"longest {max(times) * 1000:.0f} ms")  # fmt: skip
    lines = check(url, done["acts"])
    print("\n".join(f"  {line}" for line in lines))
    return 1 if any(line.startswith("FAIL") for line in lines) or len(done["acts"]) < k else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k", type=int, default=30)
    p.add_argument("--url", help="a store URL (default: a new SQLite file)")
    p.add_argument("--postgresql", action="store_true", help="a PostgreSQL of its own")
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args()
    if args.postgresql:
        from tests.postgres import new_database, postgres_server

        with postgres_server() as admin:
            return run_class(new_database(admin), args.k, args.workers)
    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-class-')}/runs.sqlite"
    return run_class(url, args.k, args.workers)


if __name__ == "__main__":
    raise SystemExit(main())
