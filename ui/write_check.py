"""Check a student's code through the sandbox, and show the report as plain text.

Code never runs in the web server: runs.sandbox runs `python -m mlcore.check --json -` in
bubblewrap, or, with no sandbox here, unsandboxed only for a visitor on this machine.
"""

from __future__ import annotations

import streamlit as st

from mlcore.check import CheckReport
from runs import sandbox
from ui import keys, visitor, write_versions
from ui.text import plain

LOOPBACK_BINDS = {"127.0.0.1", "localhost", "::1"}


def same_machine() -> bool:
    """Code may run here unsandboxed: the server's setting allows it (scripts/app.sh sets it
    on a laptop without bwrap), the server listens only on loopback, and this browser
    connects from this machine. The last is the browser's word only (its address bar, a
    proxy's loopback peer): never enough by itself."""
    if not sandbox.unsandboxed_allowed():
        return False
    address = str(st.get_option("server.address") or "")
    return address in LOOPBACK_BINDS and visitor.is_local()


def where_code_runs() -> tuple[bool, str]:
    """(code can run for this visitor, a sentence saying where it runs or how to allow it)."""
    status = sandbox.status()
    if status.available:
        return True, status.why
    if same_machine():
        return True, "Your code runs on this computer, outside a sandbox: the app is yours."
    return False, f"{status.why} {sandbox.LOCAL_ONLY}"


def run(source: str) -> None:
    """Check source and keep the version with its report (or the error sentence)."""
    if not source.strip():
        st.session_state[keys.WRITE_RESULT] = {"error": "There is no code to check yet."}
        return
    result = sandbox.run_check(source, local=same_machine())
    st.session_state[keys.WRITE_RESULT] = result
    if "error" not in result:
        write_versions.keep(source, result)


def latest() -> dict | None:
    return st.session_state.get(keys.WRITE_RESULT)


def show(result: dict | None) -> None:
    """The report: a line of passes, then each failure's sentence and small arrays (plain text)."""
    if result is None:
        return
    if "error" in result:
        st.error(plain(str(result["error"])), icon="⚠️")  # may quote the code's output: plain
        return
    report = CheckReport.from_dict(result)
    for note in report.notes:
        st.text(note)  # names the student's line: plain text
    if report.problem:
        st.error("Your code could not be checked.")
        st.text(report.problem)
        return
    passed = [f.name for f in report.findings if f.passed]
    total = len(report.findings)
    st.subheader(f"{len(passed)} of {total} checks pass")
    if passed:
        st.text("Passes: " + ", ".join(passed))
    for finding in (f for f in report.findings if not f.passed):
        _failure(finding)
    if report.printed.strip():
        with st.expander("What your code printed"):
            st.code(report.printed, language=None)


def _failure(finding) -> None:
    with st.container(border=True):
        # The name came from the sandbox (check_schema allows only the checks' names): plain.
        st.markdown(f"**{plain(finding.name)}** does not pass")
        st.text(finding.sentence)
        if finding.shown:
            shown = "\n".join(
                f"{label}:\n  " + text.replace("\n", "\n  ") for label, text in finding.shown
            )
            st.code(shown, language=None)


def passes_line(check: dict) -> str:
    """'9 of 11 checks pass' for a kept version's report ("not checked" for an error)."""
    if "error" in check:
        return "not checked"
    report = CheckReport.from_dict(check)
    if report.problem:
        return "does not parse"
    return f"{sum(f.passed for f in report.findings)} of {len(report.findings)} checks pass"
