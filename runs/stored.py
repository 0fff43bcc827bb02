"""A Run to the store's row and back: the one place that knows both vocabularies."""

from __future__ import annotations

import io
import json
import os
import time
import unicodedata
from dataclasses import replace

import numpy as np

from mlcore.checkpoint import CheckpointError, params_from_bytes, progress_from_dict
from mlcore.network import Params
from mlcore.range_test import RangeTest
from mlcore.scaling import Scaling
from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs.protocol import DataRef
from runs.run import ACTIVE, Record, Run
from runs.schema import NAME_MAX
from runs.store import StoredRun

# Letters that show as nothing (Hangul fillers, braille blank, ...): a name of them looks blank.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u200b\u2060\ufeff")


def checked_name(text: str) -> str:
    """A run's name as kept: spaces collapsed, "" for none; ValueError saying what is wrong."""
    name = " ".join(text.split())
    if text and not name:
        raise ValueError("a run's name cannot be only spaces")
    if len(name) > NAME_MAX:
        raise ValueError(f"a run's name has at most {NAME_MAX} characters ({len(name)} given)")
    if any(unicodedata.category(ch)[0] == "C" or ch in BLANK_LOOKING for ch in name):
        raise ValueError("a run's name cannot hold control or invisible characters")
    return name


def spec_text(run) -> str:
    return json.dumps({"config": run.config.as_dict(), "data": run.spec.data})


def run_row(run, server: str) -> dict:
    """The store's row for a new run (no weights yet)."""
    return {
        "id": run.id,
        "workspace": run.workspace,
        "kind": run.kind,
        "spec": spec_text(run),
        "data_kind": run.data.kind,
        "data_location": run.data.location,
        "data_label": run.data_label,
        "n_train": run.n_train,
        "status": run.status,
        "message": run.message,
        "server": server,
        "created": run.created,
        "updated": time.time(),
        "state_at": 0,
        "lesson": run.lesson,
        "name": run.name,
        "hidden": run.hidden,
    }


def scaling_text(scaling: Scaling) -> str:
    return json.dumps({"name": scaling.name, "offset": scaling.offset, "divisor": scaling.divisor})


def range_text(result: RangeTest) -> str:
    return json.dumps(
        {
            "rates": [float(r) for r in result.rates],
            "losses": [float(v) for v in result.losses],
            "suggestion": float(result.suggestion),
        }
    )


def weights_bytes(params: Params) -> bytes:
    out = io.BytesIO()
    np.savez(out, **dict(zip(("w1", "b1", "w2", "b2"), params.arrays(), strict=True)))
    return out.getvalue()


def weights_from_bytes(blob: bytes) -> Params:
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        return Params(z["w1"], z["b1"], z["w2"], z["b2"])


def interrupted(at: str) -> str:
    return f"interrupted by a server restart at {at}"


def run_from_store(found: StoredRun, server: str, live: set[str]) -> Record:
    """A run's Record as the store kept it. An active run of a server that is gone
    (not in live) comes back interrupted, with the reports its last saved state covers; one
    of another live server is shown as it is, read-only. The state stays bytes until used."""
    row = found.row
    spec_values = json.loads(row["spec"])
    spec = RunSpec(TrainConfig(**spec_values["config"]), spec_values["data"])
    data = DataRef(row["data_kind"], row["data_location"])
    view = Run(row["id"], row["workspace"], spec, data, row["data_label"], row["n_train"])
    view = replace(view, kind=row["kind"], created=row["created"], lesson=row["lesson"])
    run = Record(replace(view, name=row.get("name") or "", hidden=bool(row.get("hidden"))))
    run.set(status=row["status"], message=row["message"])
    history = tuple(progress_from_dict(v) for v in found.reports)
    run.state_blob = bytes(row["state"]) if row["state"] else None
    elsewhere = run.status in ACTIVE and row["server"] != server and row["server"] in live
    if elsewhere:  # not active here: this server neither trains nor stops it
        run.status = "elsewhere"
        run.message = "training on another app server of this class; reload the page later"
    elif run.status in ACTIVE:
        run.status = "interrupted"
        run.message = interrupted(time.strftime("%Y-%m-%d %H:%M", time.localtime(row["updated"])))
    run.history = history  # every report, also past the saved state (Continue cuts those)
    run.state_at = row["state_at"]
    if row["scaling"]:
        run.scaling = Scaling(**json.loads(row["scaling"]))
    run.snapshot = _weights(row, run.state_blob)
    run.snapshot_at = len(history) if row["weights"] else min(run.state_at, len(history))
    if row["extra"]:
        r = json.loads(row["extra"])
        run.range_test = RangeTest(np.array(r["rates"]), np.array(r["losses"]), r["suggestion"])
    has_state = run.state_blob is not None
    run.continuable = run.kind == "train" and has_state and _data_there(data) and not elsewhere
    if run.kind == "train" and not has_state and run.status == "interrupted":
        run.message += "; it had saved no training state yet, so it cannot continue"
    elif run.kind == "train" and has_state and not _data_there(data):
        run.message += " (its uploaded data is gone: it can be looked at, not continued)"
    # A change made here is saved by the scheduler; another live server's run is left alone.
    run.saved = (run.status, run.message) if elsewhere else (row["status"], row["message"])
    return run


def _weights(row: dict, state_blob: bytes | None) -> Params | None:
    if row["weights"]:
        try:
            return weights_from_bytes(row["weights"])
        except (OSError, ValueError, KeyError):
            pass
    if state_blob is None:
        return None
    try:
        return params_from_bytes(state_blob)
    except CheckpointError:
        return None


def _data_there(data: DataRef) -> bool:
    """Uploads live in a temporary folder that a restart removes; other sources stay."""
    return data.kind != "upload" or os.path.isdir(data.location)
