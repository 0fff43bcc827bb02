"""Boundaries: mlcore never imports the UI's libraries; every page goes through app.py."""

import ast

import pytest

from .conftest import ROOT

UI_LIBRARIES = {"streamlit", "plotly", "streamlit_drawable_canvas", "ui", "pages"}
CORE_FILES = sorted((ROOT / "mlcore").glob("*.py"))


def imported_roots(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_there_are_core_files_to_check():
    assert len(CORE_FILES) >= 8


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_core_module_imports_no_ui_library(path):
    assert not set(imported_roots(path)) & (UI_LIBRARIES | {"runs", "sqlalchemy"})


RUNS_FILES = sorted((ROOT / "runs").glob("*.py"))


def test_there_are_run_files_to_check():
    assert len(RUNS_FILES) >= 5


@pytest.mark.parametrize("path", RUNS_FILES, ids=lambda p: p.name)
def test_the_run_machinery_imports_no_ui_library(path):
    """runs/ (scheduler, workers, store) is told what it needs of the web server."""
    assert not set(imported_roots(path)) & UI_LIBRARIES


def named_modules(path):
    """Strings that name a module (as import_module or sys.modules would take them)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.replace(".", "").replace("_", "").isalnum():
                yield node.value.split(".")[0]


@pytest.mark.parametrize("path", RUNS_FILES, ids=lambda p: p.name)
def test_the_run_machinery_reaches_no_ui_library_by_name_either(path):
    """Whether a browser tab is connected is given to the scheduler (Scheduler.tab_alive)
    by the UI; runs/ never looks Streamlit up itself (importlib, sys.modules)."""
    assert not set(named_modules(path)) & UI_LIBRARIES


PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_every_page_routes_a_first_visit_through_app_py(path):
    """A page opened first by a link on a fresh server runs alone unless it calls
    router.ensure() (ui/router.py): the sidebar then lists the bare page files."""
    calls = [
        node
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "router.ensure"
    ]
    assert len(PAGE_FILES) >= 6 and calls, f"{path.name} never calls router.ensure()"


PACKAGES = ("mlcore", "runs", "ui")


def _imports_of(path) -> set[str]:
    """Our modules that path's code imports (anywhere in it, also inside a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of graph (module -> the modules it imports), or []."""
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> list[str]:
        state[module] = "open"
        for other in sorted(graph[module]):
            if state.get(other) == "open":
                return [*path[path.index(other) :], other]
            if other not in state and (found := visit(other, [*path, other])):
                return found
        state[module] = "done"
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module, [module])):
            return found
    return []


def test_no_module_of_ours_imports_itself_through_others():
    paths = {f"{p.parent.name}.{p.stem}": p for d in PACKAGES for p in (ROOT / d).glob("*.py")}
    graph = {name: _imports_of(path) & set(paths) - {name} for name, path in paths.items()}
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]  # it sees one
    assert _cycle(graph) == []


UI_AND_PAGE_FILES = sorted(
    [*(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
)
STORE_WORDS = ("sqlalchemy", "engine", "data_kind", "data_location", "state_at", "handed_by")


def attribute_chains(path):
    """Every attribute chain in path's code, as written (`state.scheduler().store.store`)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute):
            yield ast.unparse(node)


@pytest.mark.parametrize("path", UI_AND_PAGE_FILES, ids=lambda p: p.name)
def test_pages_and_ui_reach_the_store_only_through_the_schedulers_methods(path):
    """No `.store` (the writer, its database), no SQL, no column names in ui/ or pages/: the
    scheduler's facade (runs.scheduler.Scheduler) is the one way to the run store."""
    chains = [c for c in attribute_chains(path) if c.endswith(".store") or ".store." in c]
    assert not chains, f"{path.name} reaches the store directly: {chains}"
    text = path.read_text()
    assert not [w for w in STORE_WORDS if w in text], f"{path.name} names the store's insides"
    assert not set(imported_roots(path)) & {"sqlalchemy", "sqlite3", "psycopg"}


def test_the_store_check_sees_a_chain_that_reaches_the_store(tmp_path):
    """The check above would fail on the code it was written against."""
    bad = tmp_path / "bad.py"
    bad.write_text("ids = state.scheduler().store.store.handed_in_ids(w)\n")
    assert any(".store." in c for c in attribute_chains(bad))


SCHEDULER_PARTS = ["facade.py", "control.py", "turns.py", "workspaces.py", "book.py"]
# Columns (and a writer's instruction) that are no field of a Run: only the store's words.
STORE_ONLY = {"data_kind", "data_location", "state_at", "weights", "extra", "server", "seq",
              "run_id", "values", "handed_by", "code_version", "truncate_reports"}  # fmt: skip


@pytest.mark.parametrize("name", SCHEDULER_PARTS)
def test_the_scheduler_names_no_column_of_the_store(name):
    """The scheduler tells runs/run_log.py what happened; only the store's modules (run_log,
    stored, store, writes, schema) know the tables' columns."""
    tree = ast.parse((ROOT / "runs" / name).read_text())
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    named = {kw.arg for call in calls for kw in call.keywords}
    texts = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert not (named | texts) & STORE_ONLY, name
    assert "sqlalchemy" not in set(imported_roots(ROOT / "runs" / name))
