"""The worker processes: started, matched to their connections, sent to, read, ended, replaced.

The scheduler changes the pool under its lock; what is slow (pickling a state with its
weights, a socket's send and receive) happens outside it: `send` only queues, `flush` sends
(one thread at a time, in order), `read` receives what waits on the connections.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Listener, wait
from pathlib import Path

from runs.protocol import AUTHKEY_ENV, DataRef, Hello, Prewarm, Quit, Task
from runs.run import Record

ROOT = Path(__file__).resolve().parent.parent
MAX_START_FAILURES = 3  # workers in a row that never connect: stop trying, say so
START_LIMIT = 60.0  # seconds a new worker may take to connect


@dataclass(eq=False)
class Worker:
    proc: subprocess.Popen
    conn: Connection | None = None
    run: Record | None = None
    threads: int = 0
    started: float = field(default_factory=time.monotonic)


class WorkerPool:
    """Worker processes (`python -m runs.worker ADDRESS`) connected back with a random key."""

    def __init__(self, count: int, prewarm: DataRef | None = None):
        self.workers: list[Worker] = []
        self.start_failures = 0  # workers in a row that died before connecting
        self._prewarm = prewarm
        self._key = secrets.token_bytes(32)
        try:  # a local socket (a pipe on Windows)
            self._listener = Listener(authkey=self._key)
        except OSError:  # e.g. macOS: "AF_UNIX path too long" under a long TMPDIR
            self._listener = Listener(("127.0.0.1", 0), authkey=self._key)
        self._incoming: deque[Connection] = deque()
        self._outbox: deque[tuple[Worker, object]] = deque()
        self._send_lock = threading.Lock()
        self._closed = threading.Event()
        for _ in range(count):
            self.spawn()
        threading.Thread(target=self._accept, name="runs-accept", daemon=True).start()

    def spawn(self) -> None:
        env = {**os.environ, AUTHKEY_ENV: self._key.hex()}
        cmd = [sys.executable, "-m", "runs.worker", str(self._listener.address)]
        # Each worker in a session of its own (POSIX; ignored on Windows): Linux shares the CPU
        # between sessions ("autogroups") before processes, so training runs no longer share
        # the web server's one share with it, and browsers on the same machine (a student's
        # laptop, the load bench) take a fair share instead of half the machine. A worker
        # still ends with the server: its connection closes.
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=os.name == "posix")
        self.workers.append(Worker(proc))

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn = self._listener.accept()
            except Exception:  # OSError, EOFError, AuthenticationError (a stranger's connect)
                if self._closed.is_set():
                    return
                continue
            self._incoming.append(conn)

    def greet(self) -> None:
        """Match new connections to the workers that made them (by process id)."""
        while self._incoming:
            conn = self._incoming.popleft()
            try:
                hello = conn.recv()
            except (EOFError, OSError, ValueError):
                continue
            pid = hello.pid if isinstance(hello, Hello) else None
            worker = next((w for w in self.workers if w.proc.pid == pid), None)
            if worker is None:
                conn.close()
                continue
            worker.conn = conn
            self.start_failures = 0
            if self._prewarm is not None:
                self.send(worker, Prewarm(self._prewarm, "standard", "float32"))

    def wait_ready(self, timeout: float) -> list[Worker]:
        """Workers with messages waiting (up to timeout seconds for one)."""
        by_conn = {w.conn: w for w in list(self.workers) if w.conn is not None}
        if not by_conn:
            time.sleep(timeout)
            return []
        return [by_conn[c] for c in wait(list(by_conn), timeout=timeout)]

    @staticmethod
    def read(worker: Worker) -> tuple[list, bool]:
        """(the messages waiting from worker, whether its connection has closed after them),
        unpickled here, outside the scheduler's lock."""
        messages = []
        try:
            while worker.conn.poll():
                messages.append(worker.conn.recv())
        except (EOFError, OSError):
            return messages, True
        return messages, False

    def send(self, worker: Worker, message) -> None:
        """Queue message for worker (sent by the next flush, in order)."""
        self._outbox.append((worker, message))

    def flush(self) -> list[tuple[Worker, Task]]:
        """Send what is queued (outside the scheduler's lock); the tasks that could not go."""
        failed = []
        with self._send_lock:
            while self._outbox:
                worker, message = self._outbox.popleft()
                if not _send(worker, message) and isinstance(message, Task):
                    failed.append((worker, message))
        return failed

    def remove(self, worker: Worker) -> int:
        """End worker's process and forget it; its exit code."""
        if worker.conn is not None:
            with self._send_lock:  # not while a page's flush sends on it
                worker.conn.close()
        if worker.proc.poll() is None:
            worker.proc.kill()
        worker.proc.wait()
        self.workers.remove(worker)
        if worker.conn is None:
            self.start_failures += 1  # it never said hello
        return worker.proc.returncode

    def gone(self, now: float) -> list[tuple[Worker, str]]:
        """Workers whose process ended, or that did not connect in time, with why."""
        found = []
        for w in self.workers:
            if w.proc.poll() is not None:
                found.append((w, "the training process ended unexpectedly"))
            elif w.conn is None and now - w.started > START_LIMIT:
                found.append((w, "a training process did not start"))
        return found

    @property
    def failing(self) -> bool:
        """Workers keep dying before they connect: no use starting more."""
        return self.start_failures >= MAX_START_FAILURES

    def close(self) -> None:
        """Tell every worker to quit, end those that do not within 3 s; one still starting
        (not connected: it cannot hear Quit, and holds no run) is ended at once."""
        self._closed.set()
        for w in self.workers:
            if not _send(w, Quit()) and w.proc.poll() is None:
                w.proc.terminate()
        for w in self.workers:
            try:
                w.proc.wait(3)
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.wait()
        self.workers.clear()
        self._listener.close()  # the accept thread (a daemon) ends with the process


def _send(worker: Worker, message) -> bool:
    if worker.conn is None:
        return False
    try:
        worker.conn.send(message)
        return True
    except (OSError, ValueError, TypeError):  # closed, or closed meanwhile (TypeError: no handle)
        return False
