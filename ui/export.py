"""A session's runs as one CSV file: a row per report, with its run's settings (no Streamlit)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, fields

from mlcore.model import model_bytes
from mlcore.spec import config_to_params, format_value
from mlcore.train import Progress, TrainConfig
from ui.export_readme import readme

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


def runs_zip(runs: Sequence) -> bytes:
    """One .zip of runs: README.txt (what each file is, a NumPy example), runs.csv, and per
    run its settings (JSON, numbers as numbers) and model (.npz, if any)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.txt", readme(runs))
        z.writestr("runs.csv", runs_csv(runs))
        for run in runs:
            z.writestr(f"run-{run.id}/settings.json", json.dumps(_settings(run), indent=2))
            model = run.model() if run.usable else None
            if model is not None:
                z.writestr(f"run-{run.id}/model.npz", model_bytes(model))
    return out.getvalue()


def _settings(run) -> dict:
    """What a run was: its settings (numbers as numbers; batch_size null = full batch), the
    same as link text, its data, status and result."""
    return {
        "run": run.id,
        "name": getattr(run, "name", ""),
        "kind": run.kind,
        "settings": run.config.as_dict(),
        "link": config_to_params(run.config),  # as the address bar and the CLI spell them
        "data": run.data_label,
        "status": run.status,
        "message": run.message,
        "test_accuracy": run.latest_test_accuracy,
        "reports": len(run.history),
    }


def class_csv(runs: Sequence) -> str:
    """CSV text of handed-in runs (runs.classroom.HandedIn): a row per report, with nickname,
    lesson and the run's settings first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["nickname", "lesson", "run", "data", *SETTINGS, *REPORT_COLUMNS])
    for run in runs:
        settings = [format_value(getattr(run.config, name)) for name in SETTINGS]
        first = [_inert(run.nickname), run.lesson or "", run.run_id, run.data_label, *settings]
        for report in run.history:
            values = asdict(report)
            writer.writerow([*first, *(_cell(values[n]) for n in REPORT)])
    return out.getvalue()


def _inert(text: str) -> str:
    """Text a spreadsheet would read as a formula (=, +, -, @ first) kept as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
