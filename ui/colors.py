"""One colour per run, the same on every page: its place among its workspace's runs."""

from __future__ import annotations

import zlib

from runs.scheduler import Run
from ui import charts, state


def run_color(run_id: str) -> str:
    """The run's colour: the palette at its place among its workspace's runs, oldest first.

    Train, Lessons, Your work and the Class page all ask here, so a run looks the same on
    each (they used to colour by place in each chart). Consecutive runs differ up to the
    palette's 10; deleting a run moves the colours of later ones, everywhere at once. A run
    this server does not hold gets a colour from its id alone.
    """
    run = state.scheduler().get(run_id)
    if run is not None:
        ids = [r.id for r in state.scheduler().runs_of(run.workspace)]
        if run_id in ids:
            return charts.color_at(ids.index(run_id))
    return charts.color_at(zlib.crc32(run_id.encode()))


def run_colors(runs: list[Run]) -> list[str]:
    """run_color of each run."""
    return [run_color(r.id) for r in runs]
