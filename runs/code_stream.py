"""What a code run's sandbox may send, checked as it arrives: its stdout read into a bounded
queue within a byte budget, and its reports held to the sequence mlcore.lab_train makes.

The sandboxed process runs the student's code, which can write anything to the pipe the
reports travel on (it is the same process). So nothing it sends is trusted: a line past the
weights' size, more bytes than the run can need, a report out of the run's report schedule
(mlcore.progress.report_due), a value that is not finite: each ends the run with a sentence.
"""

from __future__ import annotations

import math
import queue
import threading
import time

from mlcore.progress import report_due
from runs.sandbox_io import kill

LINE_SLACK = 1 << 16  # bytes a line may take beyond the weights it carries
QUEUE_LINES = 64  # lines read ahead of the worker; then the sandbox waits on its pipe
# lab_train sends the weights at most once a second (SNAPSHOT_EVERY) and with the last report:
# the byte budget grows by one weights line a second on top of the limits' output.
WEIGHTS_PER_SECOND = 1.0


class Broken(ValueError):
    """What the sandboxed process sent is not what mlcore.lab_train sends."""


class Overflow:
    """Put in the queue in place of a line when the output broke a cap: why is a sentence."""

    def __init__(self, why: str):
        self.why = why


def line_cap(config) -> int:
    """The longest line lab_train sends: the weights as base64 .npz, and a little more."""
    weights = 8 * ((785 * config.hidden_size) + (config.hidden_size + 1) * 10)
    return weights * 4 // 3 + LINE_SLACK


def byte_budget(limits, cap: int, seconds: float) -> int:
    """Bytes a code run may have sent after seconds: the limits' output and a weights line
    for each second (and one more, the last)."""
    return limits.output + int(cap * (1 + WEIGHTS_PER_SECOND * seconds))


def reader(proc, cap: int, limits, closed: threading.Event) -> queue.Queue:
    """A bounded queue of proc's stdout lines (bytes), then None at its end, or an Overflow
    for a line longer than cap or output past byte_budget (the process is then ended). The
    reader gives up putting once closed is set (the worker stopped listening)."""
    lines: queue.Queue = queue.Queue(maxsize=QUEUE_LINES)

    def put(item) -> None:
        while not closed.is_set():
            try:
                return lines.put(item, timeout=0.1)
            except queue.Full:
                continue

    def read():
        started, total = time.monotonic(), 0
        for line in iter(lambda: proc.stdout.readline(cap + 1), b""):
            total += len(line)
            if len(line) > cap:
                kill(proc)
                return put(Overflow(f"printed a line over {cap:,} bytes"))
            if total > byte_budget(limits, cap, time.monotonic() - started):
                kill(proc)
                return put(Overflow(f"sent more than the {total:,} bytes a run can need"))
            put(line)
        put(None)

    threading.Thread(target=read, name="code-run-stdout", daemon=True).start()
    return lines


class Sequence:
    """The reports of one run as lab_train makes them: positions rising, each one the report
    schedule has, within config.iterations, the last one done; values finite."""

    def __init__(self, config, n_train: int):
        size = n_train if config.batch_size is None else min(config.batch_size, n_train)
        self.n_batches = math.ceil(n_train / size)
        self.iterations = config.iterations
        self.last = -1.0
        self.ended = False

    def check(self, progress) -> None:
        """Raise Broken if progress (a Progress) cannot come next."""
        if self.ended:
            raise Broken("a report after the last")
        _finite(progress)
        whole, batch = self._position(progress)
        if progress.iteration <= self.last or whole > self.iterations:
            raise Broken("an iteration out of order")
        at_end = whole == self.iterations and batch == 0
        if progress.done and not progress.diverged and not at_end:
            raise Broken("a last report before the end")
        if not progress.done and (at_end or not report_due(whole, batch, self.n_batches)[0]):
            raise Broken("a report the schedule does not have")
        self.last, self.ended = progress.iteration, progress.done

    def _position(self, progress) -> tuple[int, int]:
        """(whole passes, batch) of a report's iteration = whole + batch / n_batches."""
        batch = progress.batch
        if not 0 <= batch < self.n_batches:
            raise Broken("a batch out of range")
        whole = round(progress.iteration - batch / self.n_batches)
        if abs(whole + batch / self.n_batches - progress.iteration) > 1e-9:
            raise Broken("an iteration that is not a batch's")
        return whole, batch


def _finite(progress) -> None:
    """Broken for a value that is not finite (train loss and accuracy: nan once diverged)."""
    loose = {"train_loss", "train_accuracy"} if progress.diverged else set()
    for name, value in vars(progress).items():
        if isinstance(value, float) and name not in loose and not math.isfinite(value):
            raise Broken(f"{name} not finite")
    accuracy = progress.test_accuracy
    if accuracy is not None and not 0 <= accuracy <= 1:
        raise Broken("an accuracy outside 0 to 1")
