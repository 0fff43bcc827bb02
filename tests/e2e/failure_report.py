"""What a failed browser test's report shows: each page it opened (a screenshot, and its visible
text) and the tail of each app server's log it used, with how that server had ended.

Its own server has often stopped by the time the report is made (the test's `with running_app`
block has ended), so each server's state and log tail are taken just before it is stopped.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

TAIL = 3_000  # characters of a server's log in the report
PAGE_TEXT = 4_000  # characters of a page's visible text


@dataclass
class Server:
    """An app server a test started, as tests/e2e/conftest.py's app_process records it."""

    log_path: Path
    proc: subprocess.Popen
    ended_first: int | None = None  # its exit code if it had ended before its stop
    tail: str | None = None  # its log's tail at its stop (a later server may reuse the file)

    def stopping(self) -> None:
        """Called just before the server is stopped: what it was then."""
        self.ended_first = self.proc.poll()
        self.tail = _tail(self.log_path)

    def section(self) -> tuple[str, str]:
        """(title, text) for the report: the pid, how it ended, the log's tail."""
        if self.tail is None:  # still serving (a worker's shared server)
            state = "still running"
        elif self.ended_first is not None:  # a crash, or a test that killed it on purpose
            state = f"had ended (exit code {self.ended_first}) before it was stopped"
        else:
            state = "running until its test stopped it"
        tail = self.tail if self.tail is not None else _tail(self.log_path)
        return f"server {self.log_path.name} (pid {self.proc.pid}, {state})", tail


SERVERS: list[Server] = []  # every server started in this worker, in order


def track(log_path: Path, proc: subprocess.Popen) -> Server:
    """Record a server just started, for the report of the test that started it."""
    SERVERS.append(server := Server(log_path, proc))
    return server


def page_sections(pages: list, shots: Path, test_name: str) -> list[tuple[str, str]]:
    """Screenshot each page (shots/FAILED-<test>-<i>.png) -> (title, visible text) for each."""
    sections = []
    for i, page in enumerate(pages):
        try:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"FAILED-{test_name}-{i}.png"), full_page=True)
            text = page.locator("body").inner_text(timeout=5_000)
        except Exception as e:  # a page already gone: say so, keep the test's own failure
            text = f"(not readable: {type(e).__name__})"
        sections.append((f"page {i} at the failure: {page.url}", text[-PAGE_TEXT:]))
    return sections


def server_sections(servers: list[Server]) -> list[tuple[str, str]]:
    """(title, log tail) for each server, each once."""
    unique = list({id(s): s for s in servers}.values())
    return [s.section() for s in unique]


def _tail(log_path: Path) -> str:
    return log_path.read_bytes()[-TAIL:].decode(errors="replace")
