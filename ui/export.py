"""A session's runs as one CSV file: a row per report, with its run's settings (no Streamlit)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, fields

from mlcore.spec import format_value
from mlcore.train import Progress, TrainConfig

SETTINGS = [f.name for f in fields(TrainConfig)]
REPORT = [f.name for f in fields(Progress)]
# A report's own learning rate (after the schedule) beside the setting of the same name.
REPORT_COLUMNS = [f"{n}_now" if n in SETTINGS else n for n in REPORT]


def runs_csv(runs: Sequence) -> str:
    """CSV text: columns run, data, the TrainConfig fields, the Progress fields (REPORT_COLUMNS)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["run", "data", *SETTINGS, *REPORT_COLUMNS])
    for run in runs:
        settings = [format_value(getattr(run.config, name)) for name in SETTINGS]
        for report in run.history:
            values = asdict(report)
            writer.writerow(
                [run.id, run.data_label, *settings, *(_cell(values[n]) for n in REPORT)]
            )
    return out.getvalue()


def _cell(value) -> str:
    return "" if value is None else str(value)
