"""A worker's memory with full MNIST cached: peak and resident RSS in a fresh process.

    MNIST_DIR=../shared/datasets/mnist python bench/worker_memory.py [--scale standard]
    [--dtype float32]

Loads the data as a worker does (runs.worker.DataCache, the default run's scaling), then
prints the process's peak RSS (getrusage ru_maxrss) and its resident RSS afterwards, in MB.
Target (issue 18): a worker with full MNIST cached stays under 300 MB RSS. Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    text = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", default="standard")
    p.add_argument("--dtype", default="float32")
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    from runs.protocol import DataRef
    from runs.worker import DataCache

    before = rss_mb()
    cache = DataCache()  # kept, as a worker keeps it
    cache.get(DataRef("full", os.environ["MNIST_DIR"]), args.scale, args.dtype)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "scale": args.scale,
        "dtype": args.dtype,
        "rss_before_load_mb": round(before, 1),
        "peak_rss_mb": round(peak, 1),
        "rss_after_load_mb": round(rss_mb(), 1),
    }
    print(json.dumps(result))
    del cache
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
