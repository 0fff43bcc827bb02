"""Check a student's lab code: each function on small fixed inputs against the reference.

    python -m mlcore.check my_lab.py   # the checks in words; exit 0 all pass, 1 not, 2 unreadable
    python -m mlcore.check --json -    # source on stdin, the CheckReport as JSON on stdout

The sandbox (runs/sandbox.py) runs the second form; the Write page reads its JSON. The code is
loaded as a notebook would run it (mlcore/notebook.py), then checked in dependency order
(mlcore/lab_cases.py); each finding is passed, or a sentence naming the likely mistake.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from mlcore import check_schema, notebook
from mlcore.lab_cases import CHECKS
from mlcore.lab_checks import Context, Failed, Finding

MAX_SOURCE_CHARS = 200_000  # a lab is ~5,000; a larger paste is not a lab
REPORT_VERSION = 1
SKELETON_PATH = Path(__file__).with_name("lab_skeleton.py")


@dataclass(frozen=True)
class CheckReport:
    """The outcome of checking one source: a Finding per check, notes on skipped lines."""

    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()  # lines of the paste that were skipped, and why
    problem: str = ""  # why the code could not be checked at all (it does not parse, too long)
    printed: str = ""  # what the code printed while loaded and checked (first 2,000 characters)
    seconds: float = 0.0
    version: int = REPORT_VERSION

    @property
    def passed(self) -> bool:
        return not self.problem and bool(self.findings) and all(f.passed for f in self.findings)

    def passes(self) -> dict[str, bool]:
        """{check name: passed}, in the checks' order."""
        return {f.name: f.passed for f in self.findings}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> CheckReport:
        """The report a to_dict() made; one of another shape (check_schema) becomes a report
        whose problem says so: never raises on a kept report."""
        if (invalid := check_schema.problem_of(d)) is not None:
            return cls(problem=invalid)
        findings = tuple(
            Finding(f["name"], f["passed"], f.get("sentence", ""), f.get("mistake", ""),
                    tuple(tuple(s) for s in f.get("shown", ())))
            for f in d.get("findings", ())
        )  # fmt: skip
        return cls(
            findings=findings,
            notes=tuple(d.get("notes", ())),
            problem=str(d.get("problem", "")),
            printed=str(d.get("printed", "")),
            seconds=float(d.get("seconds", 0.0)),
            version=int(d.get("version", REPORT_VERSION)),
        )


def count_passes(reports: list[CheckReport]) -> dict[str, tuple[int, int]]:
    """{check name: (reports passing it, reports that ran it)}, in the checks' order."""
    counts: dict[str, tuple[int, int]] = {name: (0, 0) for name, _, _ in CHECKS}
    for report in reports:
        for finding in report.findings:
            passed, total = counts.get(finding.name, (0, 0))
            counts[finding.name] = (passed + finding.passed, total + 1)
    return counts


def skeleton() -> str:
    """The code the editor starts with: the lab's functions with empty bodies."""
    return SKELETON_PATH.read_text(encoding="utf-8")


def _parse_problem(error: SyntaxError) -> str:
    text = (error.text or "").strip()[:70]
    shown = f" (`{text}`)" if text else ""
    return f"Line {error.lineno}{shown} does not parse: {error.msg}. Fix it and check again."


def _run_checks(ctx: Context) -> list[Finding]:
    findings = []
    for name, calls, check in CHECKS:
        try:
            check(ctx)
            finding = Finding(name, True)
        except Failed as failed:
            finding = _blame(ctx, name, calls, failed.finding)
        except Exception as error:  # a check tripped on an odd result: say so, go on
            sentence = f"{name} could not be checked: {type(error).__name__}: {error}"[:300]
            finding = Finding(name, False, sentence, "unchecked")
        findings.append(finding)
        if not finding.passed:
            ctx.failed.add(name)
    return findings


def _blame(ctx: Context, name: str, calls: tuple, finding: Finding) -> Finding:
    """The finding under this check's name, first naming a failed function it calls."""
    function = ctx.namespace.get(name)
    names = getattr(getattr(function, "__code__", None), "co_names", calls)
    first = [c for c in calls if c in ctx.failed and (c in names or name == "gradient check")]
    sentence = finding.sentence
    if first:
        sentence = f"{name} uses {first[0]}, which does not pass yet: fix it first. {sentence}"
    return Finding(name, False, sentence, finding.mistake, finding.shown)


def check_source(source: str) -> CheckReport:
    """Load source as a notebook would and check each of the lab's functions (< 1 s)."""
    started = time.perf_counter()
    if len(source) > MAX_SOURCE_CHARS:
        problem = (
            f"Your code is {len(source):,} characters; the check reads at most "
            f"{MAX_SOURCE_CHARS:,}. Paste only the cells with your functions."
        )
        return CheckReport(problem=problem)
    try:
        namespace, notes, printed = notebook.load(source)
    except SyntaxError as error:
        return CheckReport(problem=_parse_problem(error))
    lines = notebook.strip_magics(source)[0].splitlines()
    out = io.StringIO()
    ctx = Context(namespace, lines, out)
    with np.errstate(all="ignore"):
        findings = _run_checks(ctx)
    printed = (printed + out.getvalue())[: notebook.MAX_PRINTED]
    return CheckReport(tuple(findings), tuple(notes), "", printed, time.perf_counter() - started)


def report_lines(report: CheckReport) -> list[str]:
    """The report in words, as the CLI prints it (the page says the same sentences)."""
    if report.problem:
        return [report.problem]
    lines = [f"note: {note}" for note in report.notes]
    for finding in report.findings:
        lines.append(f"{'pass' if finding.passed else 'FAIL'}  {finding.name}")
        if not finding.passed:
            lines.append(f"      {finding.sentence}")
            for label, text in finding.shown:
                lines.append(f"      {label}: " + text.replace("\n", "\n" + " " * (8 + len(label))))
    passed = sum(f.passed for f in report.findings)
    lines.append(f"{passed} of {len(report.findings)} checks pass.")
    return lines


def _read(path: str) -> str:
    """The source at path ("-": stdin); a notebook's .ipynb gives its code cells."""
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    return notebook.ipynb_source(text) if path.endswith(".ipynb") else text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlcore.check", description=__doc__.split("\n")[0]
    )
    parser.add_argument("file", help="your lab as a .py (or .ipynb) file; - reads stdin")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        source = _read(args.file)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"Could not read {args.file}: {error}", file=sys.stderr)
        return 2
    report = check_source(source)
    if args.json:
        json.dump(report.to_dict(), sys.stdout)
        sys.stdout.write("\n")
    else:
        print("\n".join(report_lines(report)))
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
