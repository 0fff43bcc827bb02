"""Run a student's paste as a notebook would: statement by statement, in a fresh namespace.

A paste of a notebook's first cells brings lines that cannot or should not run here: shell and
magic lines (`!mkdir data`, `%matplotlib inline`), downloads and plots (gdown, matplotlib,
seaborn), data loading that reads files, a call to train(). Each is skipped with a sentence
naming its line; what remains (the functions, the student's helpers, prints) runs as written.
"""

from __future__ import annotations

import ast
import contextlib
import io
import types

import numpy as np

SOURCE_NAME = "<your code>"  # the file name tracebacks give the student's lines
SKIPPED_MODULES = ("gdown", "matplotlib", "seaborn", "google", "IPython", "tqdm", "keras", "torch")
SKIPPED_CALLS = ("train", "report")  # the check does not train; "Train with my code" does
MAX_PRINTED = 2_000  # characters of the paste's own printing kept for the report


class Inert(types.ModuleType):
    """A stand-in for a skipped module: any attribute or call gives another stand-in."""

    def __getattr__(self, name):
        return Inert(f"{self.__name__}.{name}")

    def __call__(self, *args, **kwargs):
        return Inert(self.__name__)


def strip_magics(source: str) -> tuple[str, list[str]]:
    """Source with `!shell` and `%magic` lines commented out, and a note per line."""
    lines, notes = [], []
    for number, line in enumerate(source.splitlines(), start=1):
        if line.lstrip().startswith(("!", "%")):
            notes.append(f"Line {number} ({line.strip()[:60]}) is a notebook command: skipped.")
            line = "# " + line
        lines.append(line)
    return "\n".join(lines), notes


def _module_roots(node: ast.stmt) -> list[str]:
    """The top-level package names an import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    return [(node.module or "").split(".")[0]]


def _bind_inert(node: ast.stmt, namespace: dict) -> None:
    """Bind every name an import statement would bind to an inert stand-in."""
    for alias in node.names:
        name = alias.asname or alias.name.split(".")[0]
        namespace[name] = Inert(alias.name)


def _calls_skipped(node: ast.stmt) -> str | None:
    """The name of train()/report() if a top-level statement calls one, else None."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
            if sub.func.id in SKIPPED_CALLS:
                return sub.func.id
    return None


def _first_line(source_lines: list[str], node: ast.stmt) -> str:
    """The statement's first line of text, shortened for a sentence."""
    return source_lines[node.lineno - 1].strip()[:60]


def _run_import(node, namespace: dict, text: str) -> str | None:
    """Run an import statement; a skipped or missing module gets a stand-in and a note."""
    roots = [r for r in _module_roots(node) if r in SKIPPED_MODULES]
    if roots:
        _bind_inert(node, namespace)
        return f"Line {node.lineno} ({text}) imports {roots[0]}: skipped, not needed."
    try:
        exec(compile(ast.Module([node], []), SOURCE_NAME, "exec"), namespace)
    except ImportError as e:
        _bind_inert(node, namespace)
        missing = e.name or "that module"
        return f"Line {node.lineno} ({text}): {missing} is not installed here: skipped."
    return None


def _run_statement(node, namespace: dict, text: str) -> str | None:
    """Run one top-level statement; a note if it is skipped or fails (never raises)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return _run_import(node, namespace, text)
    called = None if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else _calls_skipped(node)
    if called:
        return f"Line {node.lineno} ({text}) calls {called}(): skipped, the check does not train."
    try:
        exec(compile(ast.Module([node], []), SOURCE_NAME, "exec"), namespace)
    except Exception as e:  # a student's line: said in a sentence, never raised
        problem = f"{type(e).__name__}: {e}".splitlines()[0][:120]
        return (
            f"Line {node.lineno} ({text}) could not run here ({problem}): skipped. "
            "If it loads data, remove it; the checks bring their own small inputs."
        )
    return None


def load(source: str) -> tuple[dict, list[str], str]:
    """Run source as a notebook would: (namespace, notes on skipped lines, what it printed).

    Raises SyntaxError (with the student's line number) if the code does not parse.
    """
    cleaned, notes = strip_magics(source)
    tree = ast.parse(cleaned, SOURCE_NAME)
    lines = cleaned.splitlines()
    namespace = {"__name__": "student_lab", "np": np}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), np.errstate(all="ignore"):
        for node in tree.body:
            note = _run_statement(node, namespace, _first_line(lines, node))
            if note:
                notes.append(note)
    return namespace, notes, printed.getvalue()[:MAX_PRINTED]


def ipynb_source(text: str) -> str:
    """The code cells of a .ipynb notebook's JSON, joined as one source (ValueError if not one)."""
    import json

    try:
        cells = json.loads(text)["cells"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"not a notebook ({error})") from None
    code = ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
    return "\n\n".join(code)
