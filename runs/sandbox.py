"""Run code a student wrote in a bubblewrap sandbox: no network, a read-only view of only what
Python, NumPy and mlcore need, a private /tmp, its own PID namespace, an unprivileged uid of
its own (a server not run as root: a user namespace of its own), and limits on memory, CPU
time, processes, open files, file and output size.

status() says whether it can be used here; start() launches `python -m MODULE` inside it;
run_check() runs the lab's checks (`python -m mlcore.check --json -`) on a source text.
Where no sandbox exists, code runs only for a visitor on the same machine (`local=True`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from mlcore import check_schema
from runs.sandbox_io import Finished, collect, kill

ROOT = Path(__file__).resolve().parent.parent
INSTALL = "apt-get install bubblewrap"
LOCAL_ONLY = (
    "Code runs on this server only inside a sandbox, and this server has none: ask whoever "
    f"runs it to install bubblewrap ({INSTALL} on Debian or Ubuntu), or run the app on your "
    "own computer (scripts/app.sh) to try your code there."
)
MB = 2**20
# Student code runs outside a sandbox only where the server's owner said so: scripts/app.sh
# (the app on a student's own computer, bound to 127.0.0.1, no bwrap) sets it. A visitor's
# browser cannot: its address (st.context.url) is its own to write, and behind a proxy on
# the same host every peer is loopback.
UNSANDBOXED_SETTING = "MNIST_LAB_UNSANDBOXED_CODE"


@dataclass(frozen=True)
class SandboxStatus:
    """Whether code can run sandboxed here; why is a sentence either way."""

    available: bool
    why: str


@dataclass(frozen=True)
class Limits:
    """What one sandboxed process may use (each a resource.setrlimit or our own cap)."""

    memory: int  # RLIMIT_AS, bytes of address space
    cpu_seconds: int  # RLIMIT_CPU: past it the kernel ends the process (SIGXCPU, then KILL)
    processes: int  # RLIMIT_NPROC for its own uid: threads count too (OpenBLAS's)
    open_files: int  # RLIMIT_NOFILE
    file_size: int  # RLIMIT_FSIZE, per file written (only /tmp is writable)
    tmp_size: int  # the private /tmp's size (a tmpfs is RAM, not counted in RLIMIT_AS)
    output: int  # bytes read from its stdout (a line, for a training run) before it is ended
    wall_seconds: float  # ended (the whole PID namespace) past this many seconds


# A check runs each lab function on arrays of a few rows: Python + NumPy take ~60 MB of
# address space (OpenBLAS reserves more per thread), so 1 GB leaves room for a student's own
# arrays while a 10 GB allocation fails at once with a MemoryError. The memory limit holds for
# the sandbox's processes together too (runs.sandbox_watch sums them): RLIMIT_AS is per
# process. 4 processes: threads count as processes on Linux, and a check runs one (its BLAS
# has one thread); a fork bomb gets 4 and then EAGAIN. 64 open files: Python needs ~10.
# A report is a few KB of JSON: 2 MB of printing is a mistake (a print in a loop).
CHECK_LIMITS = Limits(
    memory=1024 * MB,
    cpu_seconds=10,
    processes=4,
    open_files=64,
    file_size=16 * MB,
    tmp_size=32 * MB,
    output=2 * MB,
    wall_seconds=10.0,
)
# A training run holds the dataset (read-only, mapped from the files the worker wrote: full
# MNIST in float32 is 220 MB), the lab's np.insert copies of a batch and the test set's
# forward pass (10,000 x H float64): 3 GB covers a full-batch run of H = 200 in float64
# (60,000 x 785 x 8 = 377 MB per copy). Its CPU and wall time follow the run's length:
# the server's Stop ends it earlier; the hour is a backstop.
TRAIN_LIMITS = replace(
    CHECK_LIMITS, memory=3072 * MB, cpu_seconds=7200, output=64 * MB, wall_seconds=3600.0
)
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # a check's BLAS: 1 process
UID_BASE = 3_000_000  # a uid of its own per sandbox (no account needs to exist), so RLIMIT_NPROC
UID_SPAN = 1_000_000  # counts only its processes; far above any real account's uid

# Runs first inside the sandbox. Started by root: as root of nothing (no user namespace, every
# capability but the two it needs dropped), it sets the limits, then takes the uid of its own
# (no capability survives that). Started by another user: the user namespace bwrap made is
# the uid of its own already. Then the module; nothing of the student's runs before this.
BOOT = """import json, os, resource, runpy, sys
spec = json.loads(sys.argv[1])
for name, value in spec["limits"].items():
    resource.setrlimit(getattr(resource, name), (value, value))
if spec["uid"] is not None:
    os.setgroups([]); os.setgid(spec["uid"]); os.setuid(spec["uid"])
sys.argv = [spec["module"], *spec["args"]]
runpy.run_module(spec["module"], run_name="__main__", alter_sys=True)
"""

_status: SandboxStatus | None = None
_status_lock = threading.Lock()


def status() -> SandboxStatus:
    """Whether bubblewrap works here (tried once per process), with a sentence why (not)."""
    global _status
    with _status_lock:
        if _status is None:
            _status = _probe()
        return _status


def _probe() -> SandboxStatus:
    if not sys.platform.startswith("linux"):
        return SandboxStatus(False, f"The sandbox (bubblewrap) needs Linux, not {sys.platform}.")
    if shutil.which("bwrap") is None:
        return SandboxStatus(False, f"bubblewrap is not installed: {INSTALL} (Debian, Ubuntu).")
    try:
        result = _run(["json.tool"], CHECK_LIMITS, {}, {}, b'"ok"', 30.0)
    except OSError as e:
        return SandboxStatus(False, f"bubblewrap could not start ({e}).")
    if result.stdout.strip() != b'"ok"':
        tail = result.stderr.decode(errors="replace").strip()[-200:]
        hint = "" if os.geteuid() == 0 else " (are user namespaces turned off? then run as root)"
        return SandboxStatus(False, f"bubblewrap failed to start Python{hint}: {tail}")
    return SandboxStatus(True, "Code runs in a bubblewrap sandbox: no network, read-only files.")


def unsandboxed_allowed() -> bool:
    """Whether this server's setting lets student code run without a sandbox."""
    return os.environ.get(UNSANDBOXED_SETTING) == "1"


def python_paths() -> list[str]:
    """What Python + NumPy need, read-only: the interpreter's prefix and the packages."""
    paths = {sys.base_prefix, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    paths |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    return sorted(p for p in paths if os.path.isdir(p))


def command(module_argv: list[str], limits: Limits, binds: dict[str, str], env: dict) -> list[str]:
    """The bwrap command line running `python module_argv` (after BOOT) with binds
    {host path: path inside}, read-only, and env, and nothing else of the host's files."""
    root = os.geteuid() == 0
    args = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
    args += ["--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if root:  # a user namespace would map the code to root outside, which RLIMIT_NPROC exempts
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:  # the server's own uid outside, counted per namespace; no nested namespaces
        args += ["--unshare-user", "--disable-userns", "--uid", "1000", "--gid", "1000"]
    # System libraries and programs (libc, libm; no user data lives under /usr).
    args += ["--ro-bind", "/usr", "/usr"]
    for link in ("lib", "lib64", "bin"):
        if os.path.islink(f"/{link}"):
            args += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
    # The private /tmp first: a later mount hides what lies beneath it, so mounted after the
    # binds it would hide a venv or a checkout that lives under /tmp (git clone . /tmp/x).
    args += ["--size", str(limits.tmp_size), "--perms", "1777", "--tmpfs", "/tmp"]
    made = {"/", "/usr", "/tmp"}
    mounts = {p: p for p in python_paths()} | {str(ROOT / "mlcore"): "/lab/mlcore"} | binds
    for host, inside in mounts.items():
        if inside.startswith("/usr/"):
            continue  # already there
        args += [*_parents(inside, made), "--ro-bind", host, inside]
    args += ["--proc", "/proc", "--dev", "/dev", "--chdir", "/tmp", "--clearenv"]
    path = os.pathsep.join(["/lab"] + [p for p in python_paths() if "-packages" in p])
    for name, value in {"PYTHONPATH": path, "HOME": "/tmp", "LANG": "C.UTF-8", **env}.items():
        args += ["--setenv", name, str(value)]
    spec = {
        "limits": _rlimits(limits),
        "uid": UID_BASE + secrets.randbelow(UID_SPAN) if root else None,
        "module": module_argv[0],
        "args": module_argv[1:],
    }
    return [*args, _python(), "-s", "-c", BOOT, json.dumps(spec)]


def _parents(inside: str, made: set[str]) -> list[str]:
    """--dir for each missing parent of inside, readable by all (bwrap would make them 0700)."""
    out, parent = [], os.path.dirname(inside)
    chain = []
    while parent not in made:
        chain.append(parent)
        parent = os.path.dirname(parent)
    for d in reversed(chain):
        out += ["--perms", "0755", "--dir", d]
        made.add(d)
    return out


def _rlimits(limits: Limits) -> dict[str, int]:
    return {
        "RLIMIT_AS": limits.memory,
        "RLIMIT_CPU": limits.cpu_seconds,
        "RLIMIT_NPROC": limits.processes,
        "RLIMIT_NOFILE": limits.open_files,
        "RLIMIT_FSIZE": limits.file_size,
        "RLIMIT_CORE": 0,
    }


def _python() -> str:
    """The real interpreter (a venv's python is a symlink into a folder not bound)."""
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def start(module_argv, limits: Limits, binds: dict[str, str], env: dict) -> subprocess.Popen:
    """Start `python -m module_argv` in the sandbox with pipes on stdin, stdout and stderr."""
    return subprocess.Popen(
        command(module_argv, limits, binds, env),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: kill() ends bwrap and all inside
    )


def start_unsandboxed(module_argv, limits: Limits, env: dict) -> subprocess.Popen:
    """The same process without a sandbox (a visitor on the same machine only): the limits
    that need no privilege (memory, CPU time, file size; POSIX only), no uid or namespace of
    its own. The wall-clock limit and the output cap are the caller's, as in the sandbox."""

    def limit():
        import resource

        for name, value in _rlimits(limits).items():
            if name == "RLIMIT_NPROC":  # the visitor's own processes count too
                continue
            try:
                resource.setrlimit(getattr(resource, name), (value, value))
            except (ValueError, OSError):  # e.g. macOS refuses a lower RLIMIT_AS: go without
                pass

    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-m", *module_argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path, **env},
        preexec_fn=limit if os.name == "posix" else None,
        start_new_session=os.name == "posix",
    )


def _run(module_argv, limits, binds, env, stdin: bytes, timeout: float) -> Finished:
    return collect(start(module_argv, limits, binds, env), stdin, limits, timeout)


def run_check(source: str, timeout: float = 10.0, local: bool = False) -> dict:
    """The lab's checks on source, run sandboxed: the JSON report (a dict), or {"error":
    sentence} for a timeout, a limit, a crash or output that is not a report. Without a
    sandbox: unsandboxed if local (a visitor on the same machine) and the server's setting
    allows it (unsandboxed_allowed), else LOCAL_ONLY."""
    limits = replace(CHECK_LIMITS, wall_seconds=timeout, cpu_seconds=max(1, int(timeout + 0.999)))
    argv = ["mlcore.check", "--json", "-"]
    if status().available:
        proc = start(argv, limits, {}, ONE_THREAD)
    elif local and unsandboxed_allowed():
        proc = start_unsandboxed(argv, limits, ONE_THREAD)
    else:
        return {"error": LOCAL_ONLY}
    result = collect(proc, source.encode("utf-8", errors="replace"), limits, timeout)
    return report_of(result, limits)


def report_of(result: Finished, limits: Limits) -> dict:
    """The check's JSON report, or {"error": the sentence for how the process ended, or for
    an answer that is not a report's shape (check_schema: the student's code could have
    written it)}."""
    if (problem := result.problem(limits)) is not None:
        return {"error": problem}
    if not result.stdout.strip():
        return {"error": result.crash(limits)}
    if len(result.stdout) > check_schema.MAX_REPORT_BYTES:
        return {"error": check_schema.INVALID}
    try:
        report = json.loads(result.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: deep nesting
        return {"error": check_schema.INVALID}
    invalid = check_schema.problem_of(report)
    return report if invalid is None else {"error": invalid}


__all__ = ["LOCAL_ONLY", "Limits", "SandboxStatus", "kill", "run_check", "start", "status"]
