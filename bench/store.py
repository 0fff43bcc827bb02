"""What the run store costs a run: the default run with and without the store, alternating.

    MNIST_DIR=../shared/datasets/mnist python bench/store.py [--pairs 4] [--url URL]

Two schedulers (one with a store: a new SQLite file, or --url; one without) train the default
run on full MNIST in turn; prints each run's training seconds and Start-to-finished seconds,
the ratios (with / without) and the store's bytes per default run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs.protocol import DataRef
from runs.scheduler import Limits, Scheduler
from runs.writer import StoreWriter

LIMIT = 300.0  # seconds a run may take before the bench gives up


def one_run(scheduler: Scheduler, data: DataRef, owner: str) -> tuple[float, float]:
    """(seconds of training the run reports, seconds from submit to finished)."""
    start = time.monotonic()
    run = scheduler.submit(owner, RunSpec(TrainConfig(), "full"), data, "full", 60_000)
    while run.active and time.monotonic() - start < LIMIT:
        time.sleep(0.005)
        run = scheduler.get(run.id)  # a Run is a value: ask again for news
    assert run.status == "finished", run.message
    return run.history[-1].elapsed, time.monotonic() - start


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=4)
    p.add_argument("--url", help="a store URL (default: a new SQLite file)")
    args = p.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-store-')}/runs.sqlite"
    data = DataRef("full", os.environ["MNIST_DIR"])
    limits = Limits.from_env({"MNIST_LAB_WORKERS": "1"})  # one run at a time, as alone
    stored = Scheduler(limits, prewarm=data, store=StoreWriter(url))
    plain = Scheduler(limits, prewarm=data)
    try:
        time.sleep(8)  # both workers started and loaded full MNIST
        one_run(stored, data, "warm"), one_run(plain, data, "warm")
        rows = {"with": [], "without": []}
        for i in range(args.pairs):
            order = [("with", stored), ("without", plain)]
            for name, scheduler in order if i % 2 == 0 else order[::-1]:
                rows[name].append(one_run(scheduler, data, f"pair{i}"))
                print(f"pair {i} {name:>7} store: {rows[name][-1][0]:.2f} s training, "
                      f"{rows[name][-1][1]:.2f} s submit to finished", flush=True)  # fmt: skip
        for k, what in enumerate(("training", "submit to finished")):
            ratios = [a[k] / b[k] for a, b in zip(rows["with"], rows["without"], strict=True)]
            print(f"{what}: with / without = median {statistics.median(ratios):.3f} "
                  f"(pairs: {', '.join(f'{r:.3f}' for r in ratios)})")  # fmt: skip
        stored.store.flush()
        used = stored.stored_bytes("pair0")
        print(f"store: {used / 2**20:.2f} MB per default run ({url})")
    finally:
        stored.close()
        plain.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
