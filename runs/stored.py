"""A Run to the store's row and back: the one place that knows both vocabularies."""

from __future__ import annotations

import io
import json
import os
import time
import unicodedata
from dataclasses import fields, replace

import numpy as np

from mlcore.checkpoint import CheckpointError, params_from_bytes, progress_from_dict
from mlcore.model import Model
from mlcore.network import Params
from mlcore.range_test import RangeTest
from mlcore.scaling import Scaling
from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs.incarnation import where_active
from runs.protocol import DataRef
from runs.run import ACTIVE, Record, Run
from runs.schema import NAME_MAX
from runs.store import StoredRun

SPEC_VERSION = 1  # the layout of a stored spec (runs.spec): one more when it changes
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
    """A run's spec as stored: its settings, its data, its code (issue 23: only a run with
    code), and the version of this layout."""
    return json.dumps({"version": SPEC_VERSION, **run.spec.as_dict()})


def spec_from_text(text: str) -> RunSpec:
    """A stored spec, read tolerantly: a setting this version does not know is left out (a
    field a later version added or renamed); ValueError if what remains cannot be a run."""
    values = json.loads(text)
    known = {f.name for f in fields(TrainConfig)}
    config = {k: v for k, v in values["config"].items() if k in known}
    return RunSpec(TrainConfig(**config), values.get("data", "full"), values.get("code"))


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


ELSEWHERE = "training on another app server of this class (checked again every few seconds)"


def interrupted(at: str) -> str:
    return f"interrupted by a server restart at {at}"


def run_from_store(found: StoredRun, server: str, live: set[str]) -> Record:
    """A run's Record as the store kept it; one this version cannot read comes back failed,
    saying so (never the whole workspace lost)."""
    try:
        return _run_from_row(found, server, live)
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        return _unreadable(found.row, e)


def _unreadable(row: dict, error: Exception) -> Record:
    """A stand-in for a stored run that cannot be read: its id and why, nothing to train."""
    why = f"this run was saved by another version and cannot be read: {error}"[:300]
    ids = str(row.get("id")), str(row.get("workspace"))
    view = Run(*ids, RunSpec(TrainConfig()), DataRef("sample", ""), "unreadable", 0)
    view = replace(view, created=row.get("created") or 0.0, status="failed", message=why)
    run = Record(replace(view, continuable=False))
    run.saved = (run.status, run.message)  # left as it is in the store
    return run


def _run_from_row(found: StoredRun, server: str, live: set[str]) -> Record:
    """An active run of a server that is gone (not in live) comes back interrupted, with the
    reports its last saved state covers; one of another live server is shown as it is,
    read-only. The state stays bytes until used."""
    row = found.row
    spec = spec_from_text(row["spec"])
    data = DataRef(row["data_kind"], row["data_location"])
    view = Run(row["id"], row["workspace"], spec, data, row["data_label"], row["n_train"])
    view = replace(view, kind=row["kind"], created=row["created"], lesson=row["lesson"])
    run = Record(replace(view, name=row.get("name") or "", hidden=bool(row.get("hidden"))))
    run.set(status=row["status"], message=row["message"])
    history = tuple(progress_from_dict(v) for v in found.reports)
    run.state_blob = bytes(row["state"]) if row["state"] else None
    where = where_active(row["server"], server, live) if run.status in ACTIVE else "here"
    elsewhere = where == "elsewhere"
    if elsewhere:  # not active here: this server neither trains nor stops it
        run.status = "elsewhere"
        run.message = ELSEWHERE
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


def model_from_row(row: dict) -> Model | None:
    """A stored run's latest weights and scaling as a Model (a row of Store.run_weights), or
    None when it kept neither (the private split scores hand-ins with it: runs.private)."""
    params = _weights(row, bytes(row["state"]) if row["state"] else None)
    if params is None or not row["scaling"]:
        return None
    return Model(params, Scaling(**json.loads(row["scaling"])))


def _data_there(data: DataRef) -> bool:
    """Uploads live in a temporary folder that a restart removes; other sources stay."""
    return data.kind != "upload" or os.path.isdir(data.location)
