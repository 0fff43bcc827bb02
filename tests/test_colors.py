"""A run's colour: one per run, the same in every chart and on every page."""

from __future__ import annotations

import json
import zlib
from types import SimpleNamespace

import pytest

from ui import charts, colors, state

from .test_charts import history


class Workspaces:
    """The scheduler as ui/colors asks it: runs by id, a workspace's runs oldest first."""

    def __init__(self, **workspaces: list[str]):
        self.runs = {
            rid: SimpleNamespace(id=rid, workspace=ws)
            for ws, ids in workspaces.items()
            for rid in ids
        }

    def get(self, run_id):
        return self.runs.get(run_id)

    def runs_of(self, session):
        return [r for r in self.runs.values() if r.workspace == session]


@pytest.fixture
def workspaces(monkeypatch):
    def make(**kw):
        monkeypatch.setattr(state, "scheduler", lambda: Workspaces(**kw))

    return make


def line_colors(figure) -> list[str]:
    return [t["line"]["color"] for t in json.loads(figure.to_json())["data"]]


def test_a_run_keeps_its_colour_whatever_else_a_chart_shows(workspaces):
    """Train shows one run, a lesson two, Your work three: the same run, the same colour
    (charts used to colour by place in the chart, so the run changed colour by page)."""
    workspaces(mine=["a1", "b2", "c3"])
    alone = charts.loss_figure(
        [("b2", history(3))], colors=colors.run_colors([state.scheduler().get("b2")])
    )
    shown = [state.scheduler().get(i) for i in ("a1", "b2", "c3")]
    together = charts.accuracy_figure(
        [(r.id, history(3)) for r in shown], colors=colors.run_colors(shown)
    )
    assert line_colors(alone)[0] == line_colors(together)[2]  # test and train lines of b2
    assert len(set(colors.run_colors(shown))) == 3


def test_a_handed_in_run_has_its_owners_colour_on_the_class_page(workspaces):
    workspaces(ann=["a1", "a2"], bob=["b1"])
    assert colors.run_color("a2") == charts.color_at(1)
    assert colors.run_color("b1") == charts.color_at(0)
    # not held here: by its id alone, the same on every page and every server
    assert colors.run_color("gone") == charts.color_at(zlib.crc32(b"gone"))
