"""What the sandbox costs a run of a student's code, and what the lab's style of code costs.

    MNIST_DIR=../shared/datasets/mnist python bench/sandbox.py [--rounds 5] [--only sandbox|speed]

sandbox: the same student code (the lab's style, tests/lab_student.py) trained for one pass,
  (A) submitted to a real Scheduler: a worker, bubblewrap, `python -m mlcore.lab_train`,
  JSON reports relayed, from submit to "finished"; (B) the same loop (mlcore.lab_train) run
  directly in this Python process on the same arrays, already loaded. Alternating pairs
  (A B A B ...), the median of the pairwise ratios A / B. Target: <= 1.10. Then the same in
  CPU time (a busy shared machine blurs wall clocks): runs.code_task's relay in this process
  plus the sandboxed process's own CPU time, against `python -m mlcore.lab_train` started
  directly on the same files (its own CPU time), and against the loop in this warm process.
speed: one pass of that lab-style code (np.insert per call, float64 weights) through
  mlcore.lab_train against one pass of our fused step (mlcore.train, float32), same batch
  size, hidden units and plain gradient descent; the median of the pairwise ratios of CPU
  time (one thread, in this process: a busy shared machine slows wall clocks unevenly).
One BLAS thread for both sides of each pair (what a worker gives a batch-64 run).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads

import argparse
import json
import pickle
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlcore.data import SAMPLE_DIR, load_mnist  # noqa: E402
from mlcore.lab_train import lab_events  # noqa: E402
from mlcore.scaling import fit_scaling  # noqa: E402
from mlcore.spec import RunSpec  # noqa: E402
from mlcore.train import TrainConfig, new_state, train  # noqa: E402
from runs.code_task import data_folder, run_code_task  # noqa: E402
from runs.protocol import DataRef, Task  # noqa: E402
from runs.sandbox import TRAIN_LIMITS, start_unsandboxed  # noqa: E402
from runs.scheduler import Limits, Scheduler  # noqa: E402
from runs.worker import DataCache  # noqa: E402

STUDENT = (Path(__file__).resolve().parent.parent / "tests" / "lab_student.py").read_text()
CONFIG = TrainConfig(
    hidden_size=200, iterations=1, batch_size=64, learning_rate=0.5, momentum=0.0,
    schedule="constant", dtype="float64",
)  # fmt: skip


def data_source() -> tuple[DataRef, str]:
    folder = os.environ.get("MNIST_DIR")
    if folder:
        return DataRef("full", folder), "full"
    return DataRef("sample", str(SAMPLE_DIR)), "sample"


def scaled(ref: DataRef, dtype: str) -> tuple:
    d = load_mnist(ref.location)
    s = fit_scaling(CONFIG.scale, d.X_train)
    return s.apply(d.X_train, dtype), d.y_train, s.apply(d.X_test, dtype), d.y_test


def in_sandbox(s: Scheduler, ref: DataRef, data_word: str, n: int) -> float:
    t = time.perf_counter()
    run = s.submit("bench", RunSpec(CONFIG, data_word, STUDENT), ref, data_word, n)
    while (now := s.get(run.id)).active:
        time.sleep(0.01)
    assert now.status == "finished", now.message
    return time.perf_counter() - t


def directly(data: tuple, clock=time.perf_counter) -> float:
    t = clock()
    events = list(lab_events(STUDENT, CONFIG, data))
    assert events[-1]["progress"]["done"], events[-1]
    return clock() - t


def ours(data: tuple, config: TrainConfig, clock=time.process_time) -> float:
    t = clock()
    for _ in train(config, new_state(config), *data, diagnostics=False, early_reports=False):
        pass
    return clock() - t


class Sink:
    """A worker's connection to the scheduler: pickles what is sent (as a real one does)."""

    def send(self, message) -> None:
        pickle.dumps(message)

    def poll(self) -> bool:
        return False


def sandboxed_cpu(cache: DataCache, ref: DataRef) -> float:
    """CPU seconds of a code run's trusted side (this process) and its sandboxed process
    (its own count, sent before its last report: a PID namespace's init keeps its children's
    times from RUSAGE_CHILDREN)."""
    task = Task("bench", CONFIG, ref, None, 1, code=STUDENT)
    t = time.process_time()
    usage = run_code_task(Sink(), task, cache)
    return time.process_time() - t + usage["cpu_seconds"]


def pairs(a, b, rounds: int) -> list[tuple[float, float]]:
    out = []
    for _ in range(rounds):
        out.append((a(), b()))
        print(f"  {out[-1][0]:.3f} s  {out[-1][1]:.3f} s  ratio {out[-1][0] / out[-1][1]:.3f}")
    return out


def show(title: str, names: tuple[str, str], times: list[tuple[float, float]]) -> None:
    ratios = sorted(x / y for x, y in times)
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    print(f"{title}: {names[0]} / {names[1]} = {statistics.median(ratios):.3f} "
          f"(quartiles {q[0]:.3f}-{q[2]:.3f}, {len(ratios)} pairs); medians "
          f"{statistics.median(t[0] for t in times):.2f} s vs "
          f"{statistics.median(t[1] for t in times):.2f} s")  # fmt: skip


def bench_sandbox(rounds: int) -> None:
    ref, word = data_source()
    data = scaled(ref, CONFIG.dtype)
    limits = Limits.from_env({"MNIST_LAB_WORKERS": "1", "MNIST_LAB_CORES": "1"})
    s = Scheduler(limits, prewarm=ref)
    try:
        in_sandbox(s, ref, word, len(data[1]))  # warm-up: the worker writes the data folder
        times = pairs(
            lambda: in_sandbox(s, ref, word, len(data[1])), lambda: directly(data), rounds
        )
    finally:
        s.close()
    show(f"one pass on {word} MNIST, wall clock", ("sandbox + worker", "directly"), times)


def bench_sandbox_cpu(rounds: int) -> None:
    ref, word = data_source()
    data = scaled(ref, CONFIG.dtype)
    cache = DataCache()
    sandboxed_cpu(cache, ref)  # warm-up: the data folder is written once
    folder = data_folder((ref, CONFIG.scale, CONFIG.dtype), [])  # the one just written
    times = pairs(lambda: sandboxed_cpu(cache, ref), lambda: process_cpu(folder), rounds)
    show(f"one pass on {word} MNIST, CPU", ("sandbox + relay", "a plain process"), times)
    direct = lambda: directly(data, time.process_time)  # noqa: E731
    times = pairs(lambda: sandboxed_cpu(cache, ref), direct, rounds)
    show(f"one pass on {word} MNIST, CPU", ("sandbox + relay", "this warm process"), times)


def process_cpu(folder: str) -> float:
    """CPU seconds of `python -m mlcore.lab_train` run directly (no sandbox, nothing relayed)
    on the same files: its own count, as the sandboxed one reports it."""
    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    proc = start_unsandboxed(["mlcore.lab_train"], TRAIN_LIMITS, env)
    header = json.dumps({"config": CONFIG.as_dict(), "data": folder})
    out, _ = proc.communicate((header + "\n" + STUDENT).encode())
    events = [json.loads(line) for line in out.splitlines()]
    assert events[-1]["progress"]["done"], events[-1]
    return next(e["cpu_seconds"] for e in events if e["type"] == "usage")


def bench_speed(rounds: int) -> None:
    ref, word = data_source()
    lab_data, our_data = scaled(ref, "float64"), scaled(ref, "float32")
    fused = TrainConfig(**{**CONFIG.as_dict(), "dtype": "float32"})
    lab = lambda: directly(lab_data, time.process_time)  # noqa: E731
    times = pairs(lab, lambda: ours(our_data, fused), rounds)
    show(f"one pass on {word} MNIST", ("the lab's style", "our fused step"), times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=("sandbox", "sandbox-cpu", "speed"))
    args = parser.parse_args()
    if args.only in (None, "speed"):
        bench_speed(args.rounds)
    if args.only in (None, "sandbox"):
        bench_sandbox(args.rounds)
    if args.only in (None, "sandbox", "sandbox-cpu"):
        bench_sandbox_cpu(args.rounds)


if __name__ == "__main__":
    main()
