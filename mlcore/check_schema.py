"""The shape a check report (CheckReport.to_dict) must have before it is kept or shown.

The report is written by the process the student's code runs in, so the code can write any
JSON in its place: pass counts it cannot be kept from forging (see README), but it can be kept
to the report's shape — known keys and types, the lab's check names each at most once, every
text within a length — so a page, the store and the class counts never meet anything else.
"""

from __future__ import annotations

import math

from mlcore.lab_cases import CHECKS

MAX_REPORT_BYTES = 256 * 1024  # a real report is a few KB; its printing at most 2,000 chars
CHECK_NAMES = frozenset(name for name, _, _ in CHECKS)
TEXT = {"sentence": 2000, "mistake": 100, "problem": 2000, "printed": 4000, "note": 1000}
MAX_NOTES = 100
MAX_SHOWN = 10  # (label, array as text) pairs of a finding
SHOWN_TEXT = (100, 4000)  # the label's and the text's longest
INVALID = (
    "The check's answer was not a report (did your code write to the output itself, or "
    "end the process?): check again without that."
)


class Invalid(Exception):
    """The report is not of the shape CheckReport.to_dict makes: the message says where."""


def _text(value, limit: int, where: str) -> None:
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid(f"{where}: not a text of at most {limit} characters")


def _finding(f, seen: set) -> None:
    if not isinstance(f, dict) or not set(f) <= {"name", "passed", "sentence", "mistake", "shown"}:
        raise Invalid("a finding's keys")
    if f.get("name") not in CHECK_NAMES or f["name"] in seen:
        raise Invalid("a finding's name is not one of the checks, or comes twice")
    seen.add(f["name"])
    if not isinstance(f.get("passed"), bool):
        raise Invalid("a finding's passed")
    for key in ("sentence", "mistake"):
        _text(f.get(key, ""), TEXT[key], key)
    shown = f.get("shown", [])
    if not isinstance(shown, list | tuple) or len(shown) > MAX_SHOWN:
        raise Invalid("a finding's shown")
    for pair in shown:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise Invalid("a finding's shown pair")
        for part, limit in zip(pair, SHOWN_TEXT, strict=True):
            _text(part, limit, "shown")


def validate(report) -> None:
    """Raise Invalid unless report (parsed JSON) has a CheckReport's shape and sizes."""
    keys = {"findings", "notes", "problem", "printed", "seconds", "version"}
    if not isinstance(report, dict) or not set(report) <= keys:
        raise Invalid("the report's keys")
    findings = report.get("findings", [])
    if not isinstance(findings, list | tuple) or len(findings) > len(CHECK_NAMES):
        raise Invalid("findings")
    seen: set[str] = set()
    for f in findings:
        _finding(f, seen)
    notes = report.get("notes", [])
    if not isinstance(notes, list | tuple) or len(notes) > MAX_NOTES:
        raise Invalid("notes")
    for note in notes:
        _text(note, TEXT["note"], "a note")
    for key in ("problem", "printed"):
        _text(report.get(key, ""), TEXT[key], key)
    seconds, version = report.get("seconds", 0.0), report.get("version", 1)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise Invalid("seconds")
    if not math.isfinite(seconds) or isinstance(version, bool) or not isinstance(version, int):
        raise Invalid("seconds or version")


def problem_of(report) -> str | None:
    """None if report is valid, else the sentence a student is shown."""
    try:
        validate(report)
    except Invalid:
        return INVALID
    return None
