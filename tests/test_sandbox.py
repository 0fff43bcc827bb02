"""Hostile code handed to the check (runs.sandbox.run_check): each attempt is contained, comes
back as a dict with a sentence, and leaves this process and the sandbox working. On Linux
with bubblewrap; with CI=true a missing bwrap fails these tests instead of skipping them."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import threading
import time

import pytest

from runs import sandbox

pytestmark = pytest.mark.xdist_group("sandbox")


@pytest.fixture(autouse=True)
def healthy_sandbox(monkeypatch):
    """Skip without a sandbox (fail in CI); after each test: no process of the uids its
    sandboxes were given is left, and a harmless source still gets a report."""
    found = sandbox.status()
    if not found.available:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no sandbox in CI: {found.why}")
        pytest.skip(found.why)
    given, command = [], sandbox.command

    def noting_uids(*args, **kwargs):
        line = command(*args, **kwargs)
        given.append(json.loads(line[-1])["uid"])
        return line

    monkeypatch.setattr(sandbox, "command", noting_uids)
    yield
    assert leftovers(set(given)) == [], "a sandboxed process outlived its check"
    assert "error" not in sandbox.run_check("x = 1\n"), "the sandbox no longer runs code"


def leftovers(uids: set[int]) -> list[str]:
    """Processes of these uids still alive (a moment allowed for the kernel to reap them)."""
    for _ in range(50):
        out = subprocess.run(["ps", "-eo", "uid=,pid=,comm="], capture_output=True, text=True)
        found = [line for line in out.stdout.splitlines() if int(line.split()[0]) in uids]
        if not found:
            return []
        time.sleep(0.1)
    return found


def said(result) -> str:
    """Everything the check answered, as text (an error sentence or a report)."""
    assert isinstance(result, dict) and result, f"not a report: {result!r}"
    return json.dumps(result)


def test_reading_files_outside_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(word := secrets.token_hex(8))
    store = os.environ.get("MNIST_LAB_STORE", "")
    places = [str(secret), "/etc/hostname", str(sandbox.ROOT / ".git"), store, "/root", "/work"]
    code = f"""
import os
found = []
for p in {places!r}:
    try:
        found.append(os.listdir(p) if os.path.isdir(p) else open(p, "rb").read(200))
    except OSError:
        pass
raise RuntimeError("LEAK " + repr(found))
"""
    text = said(sandbox.run_check(code))
    assert word not in text and socket.gethostname() not in text and "gitdir" not in text
    assert "SQLite" not in text


def test_writing_a_file_outside_is_refused(tmp_path):
    target = tmp_path / "written.txt"
    inside = sandbox.ROOT / "mlcore" / "planted.py"
    code = f"""
for p in ({str(target)!r}, {str(inside)!r}, "/tmp/ok.txt"):
    try:
        open(p, "w").write("x")
    except OSError:
        pass
"""
    said(sandbox.run_check(code))
    assert not target.exists() and not inside.exists()


def test_no_network_neither_tcp_to_this_machine_nor_dns():
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    port, accepted = server.getsockname()[1], []

    def accept():
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not accepted:
            try:
                accepted.append(server.accept())
            except TimeoutError:
                pass

    thread = threading.Thread(target=accept)
    thread.start()
    code = f"""
import socket
reached = []
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3); reached.append("tcp")
except OSError:
    pass
try:
    socket.getaddrinfo("example.com", 80); reached.append("dns")
except OSError:
    pass
if reached:
    raise RuntimeError("REACHED " + " ".join(reached))
"""
    text = said(sandbox.run_check(code))
    thread.join()
    server.close()
    assert accepted == [] and "REACHED" not in text


def test_a_fork_bomb_is_contained_and_ended_with_a_sentence():
    code = """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""
    start = time.monotonic()
    result = sandbox.run_check(code, timeout=3)
    assert "still running after 3 seconds" in result["error"]
    assert time.monotonic() - start < 20


def test_allocating_10_gb_is_refused_with_a_memory_sentence():
    code = "import numpy as np\nhuge = np.ones(10 * 2**30 // 8)\n"
    assert "memory" in said(sandbox.run_check(code)).lower()


def test_an_endless_loop_is_stopped_past_the_time_limit():
    result = sandbox.run_check("while True:\n    pass\n", timeout=2)
    assert result == {
        "error": "Your code was still running after 2 seconds, so it was stopped: is there a "
        "loop that never ends?"
    }


def test_printing_100_mb_is_cut_off():
    start = time.monotonic()
    text = said(sandbox.run_check("print('x' * 100_000_000)\n"))
    assert len(text) < sandbox.CHECK_LIMITS.output and time.monotonic() - start < 20


def test_killing_the_parent_or_pid_1_is_refused():
    code = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, signal.SIGKILL)\n"
    result = sandbox.run_check(code)
    # Had either signal landed, the sandbox would have died before the check could answer.
    assert "error" not in result, result["error"]
    if os.geteuid() == 0:  # a uid of its own: refused outright (as another user, the
        assert said(result).count("Operation not permitted") == 2  # namespace's init ignores it)


def test_ctypes_calling_libc_is_contained():
    code = """
import ctypes, os
libc = ctypes.CDLL("libc.so.6")
libc.kill(os.getppid(), 9)
ctypes.string_at(0)
"""
    assert "crashed" in said(sandbox.run_check(code)).lower()


def test_a_syntax_error_gets_a_sentence_not_a_traceback():
    result = sandbox.run_check("def forward(X, w1, w2:\n    return X\n")
    assert "does not parse" in result["problem"] and "Traceback" not in said(result)


def test_a_1_mb_paste_comes_back_with_an_answer():
    code = "# " + "x" * 1_000_000 + "\nx = 1\n"
    start = time.monotonic()
    said(sandbox.run_check(code))
    assert time.monotonic() - start < 10


@pytest.mark.parametrize(
    "body", ["return [[0.1] * 10]", "return (np.full((len(X), 10), np.nan), X)"]
)
def test_code_returning_the_wrong_type_or_nan_gets_a_report(body):
    code = f"import numpy as np\n\ndef forward(X, w1, w2):\n    {body}\n"
    result = sandbox.run_check(code)
    assert "error" not in result, result["error"]
    (forward,) = [f for f in result["findings"] if f["name"] == "forward"]
    assert not forward["passed"] and forward["sentence"]


def test_without_a_sandbox_code_runs_only_for_a_visitor_on_this_machine(monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(sandbox, "_status", sandbox.SandboxStatus(False, "no bwrap here"))
        assert sandbox.run_check("x = 1\n") == {"error": sandbox.LOCAL_ONLY}
        m.delenv(sandbox.UNSANDBOXED_SETTING, raising=False)  # a browser's word is not enough
        assert sandbox.run_check("x = 1\n", local=True) == {"error": sandbox.LOCAL_ONLY}
        m.setenv(sandbox.UNSANDBOXED_SETTING, "1")
        assert "error" not in sandbox.run_check("x = 1\n", local=True)


def test_children_holding_more_memory_together_than_the_limit_end_the_sandbox():
    # Each child stays under the per-process limit (RLIMIT_AS); together they do not.
    code = """
import os, time, numpy as np
kids = []
for i in range(4):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        a = np.ones(700 * 2**20 // 8)
        time.sleep(20)
        os._exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
"""
    start = time.monotonic()
    result = sandbox.run_check(code, timeout=30)
    assert "held more than the 1,024 MB of memory it may use together" in said(result)
    assert time.monotonic() - start < 25


FORGED_REPORTS = {
    "a link and an image as a check's name": {
        "findings": [{"name": "![x](https://example.com/t.png) [click](https://evil.example)",
                      "passed": False, "sentence": "s", "mistake": "m", "shown": []}]},
    "a finding of the wrong type": {"findings": [1]},
    "a check passed twice": {"findings": [{"name": "sigmoid", "passed": True}] * 2},
    "a sentence of 100 KB": {"findings": [{"name": "sigmoid", "passed": False,
                                           "sentence": "x" * 100_000}]},
}  # fmt: skip


@pytest.mark.parametrize("forged", FORGED_REPORTS.values(), ids=FORGED_REPORTS)
def test_a_report_the_code_forges_out_of_shape_is_not_kept(forged):
    code = f"import os, json\nos.write(1, (json.dumps({forged!r}) + '\\n').encode())\nos._exit(0)\n"
    result = sandbox.run_check(code)
    assert set(result) == {"error"} and "not a report" in result["error"]


def test_deeply_nested_json_from_the_code_gets_a_sentence():
    result = sandbox.run_check("import os\nos.write(1, b'[' * 200_000)\nos._exit(0)\n")
    assert set(result) == {"error"} and "not a report" in result["error"]


def test_files_bound_from_under_tmp_are_seen_inside(tmp_path):
    """A checkout or venv under /tmp (git clone . /tmp/x) is bound in, not hidden by the
    sandbox's own /tmp: its file reads back, read-only."""
    shared = tmp_path / "checkout"
    shared.mkdir()
    (shared / "data.json").write_text(json.dumps({"word": (word := secrets.token_hex(8))}))
    line = sandbox.command(
        ["json.tool", str(shared / "data.json")],
        sandbox.CHECK_LIMITS,
        {str(shared): str(shared)},
        {},
    )
    out = subprocess.run(line, capture_output=True, text=True, timeout=30)
    assert word in out.stdout, out.stderr[-300:]
    zipped = shared / "written.zip"  # python -m zipfile -c: writing into the bound folder
    line = sandbox.command(
        ["zipfile", "-c", str(zipped), str(shared / "data.json")],
        sandbox.CHECK_LIMITS, {str(shared): str(shared)}, {},
    )  # fmt: skip
    out = subprocess.run(line, capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and "Read-only file system" in out.stderr, out.stderr[-300:]
    assert not zipped.exists()
