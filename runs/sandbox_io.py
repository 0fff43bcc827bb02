"""Talking to a sandboxed process: feed its stdin, read its output within a cap, end it, and
say in a sentence how it ended. Nothing it writes is unpickled: callers parse JSON."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from dataclasses import dataclass

from runs import sandbox_watch

MB = 2**20
STDERR_KEPT = 8192  # the last bytes of stderr kept, to tell a MemoryError from a crash


@dataclass(frozen=True)
class Finished:
    """How a process ended: its stdout (at most the cap), its stderr's tail, its exit code."""

    stdout: bytes
    stderr: bytes
    returncode: int
    timed_out: bool = False
    overflow: bool = False  # printed past the cap: ended by us
    memory_out: bool = False  # its processes together held more than the limit: ended by us

    def problem(self, limits) -> str | None:
        """A sentence if it was ended (time, output, a limit, a signal), else None."""
        if self.memory_out:
            return together_sentence(limits)
        if self.overflow:
            return (
                f"Your code printed more than {limits.output // MB} MB, so it was stopped: "
                "remove the prints inside loops."
            )
        if self.timed_out:
            return (
                f"Your code was still running after {limits.wall_seconds:g} seconds, so it was "
                "stopped: is there a loop that never ends?"
            )
        return signal_sentence(self.returncode, limits)

    def crash(self, limits) -> str:
        """The sentence for a process that ended without a usable answer."""
        if b"MemoryError" in self.stderr:
            return memory_sentence(limits)
        return (
            f"The process running your code ended (exit code {self.returncode}) without an "
            "answer: does your code call exit() or quit()?"
        )


def memory_sentence(limits) -> str:
    return (
        f"Your code asked for more memory than the {limits.memory // MB:,} MB it may use "
        "(a MemoryError), so it was stopped."
    )


def together_sentence(limits) -> str:
    return (
        f"Your code and the processes it started held more than the {limits.memory // MB:,} MB "
        "of memory it may use together, so it was stopped."
    )


def signal_sentence(returncode: int, limits) -> str | None:
    """The sentence for a process ended by a signal, or None for a normal exit. The signal is
    -returncode (Popen), or returncode - 128 (bwrap passes its child's death on as 128 + n)."""
    sig = -returncode if returncode < 0 else returncode - 128 if returncode > 128 else 0
    if sig == 0:
        return None
    if sig == signal.SIGXCPU:  # the kernel's CPU-time limit
        return (
            f"Your code used more than {limits.cpu_seconds} seconds of processor time, so it "
            "was stopped: is there a loop that never ends?"
        )
    if sig == signal.SIGXFSZ:
        return f"Your code wrote a file larger than {limits.file_size // MB} MB, so it was stopped."
    if sig == signal.SIGKILL:
        return "The process running your code was killed (SIGKILL), by itself (os.kill?)."
    name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
    return (
        f"Python itself crashed ({name}) while running your code: code that calls C directly "
        "(ctypes) can do this."
    )


def kill(proc: subprocess.Popen) -> None:
    """End proc's whole process group (bwrap, and with it the sandbox's PID namespace)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
    proc.wait()


def feed(proc: subprocess.Popen, data: bytes) -> threading.Thread:
    """Write data to proc's stdin and close it, in a thread (a 1 MB paste fills the pipe)."""

    def write():
        try:
            proc.stdin.write(data)
            proc.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # it ended (or closed stdin) first

    thread = threading.Thread(target=write, name="sandbox-stdin", daemon=True)
    thread.start()
    return thread


def drain_tail(stream, keep: int = STDERR_KEPT) -> tuple[threading.Thread, bytearray]:
    """Read stream to its end in a thread, keeping only its last keep bytes."""
    tail = bytearray()

    def read():
        for chunk in iter(lambda: stream.read(65536), b""):
            tail.extend(chunk)
            del tail[:-keep]

    thread = threading.Thread(target=read, name="sandbox-stderr", daemon=True)
    thread.start()
    return thread, tail


def collect(proc: subprocess.Popen, stdin: bytes, limits, timeout: float) -> Finished:
    """Feed stdin, read stdout up to limits.output bytes, wait up to timeout seconds, watch
    the memory of all its processes together; end it past any."""
    cap = limits.output
    memory_out = sandbox_watch.watch(proc, limits.memory, kill)
    feed(proc, stdin)
    err_thread, err = drain_tail(proc.stderr)
    out, overflow = bytearray(), threading.Event()

    def read():
        for chunk in iter(lambda: proc.stdout.read(65536), b""):
            out.extend(chunk)
            if len(out) > cap:
                overflow.set()
                kill(proc)
                return

    out_thread = threading.Thread(target=read, name="sandbox-stdout", daemon=True)
    out_thread.start()
    try:
        proc.wait(timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        timed_out = True
    kill(proc)
    out_thread.join(5)
    err_thread.join(5)
    for stream in (proc.stdout, proc.stderr):
        stream.close()
    ours = overflow.is_set() or memory_out.is_set()
    return Finished(
        bytes(out[:cap]),
        bytes(err),
        proc.returncode,
        timed_out and not ours,
        overflow.is_set(),
        memory_out.is_set() and not overflow.is_set(),
    )
