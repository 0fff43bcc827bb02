"""Train with my code: the student's initialize_weights, forward and back in a worker, beside
the reference (mlcore.lab_reference's source) at the same settings and seed, curves together.

Both runs go through the scheduler's normal submit (same queue, limits, store, runs table);
the worker trains a run with code inside the sandbox (runs/code_task.py).
"""

from __future__ import annotations

import inspect

import streamlit as st

from mlcore import lab_reference
from mlcore.config import TrainConfig
from mlcore.lab_curves import CURVE_RTOL, where_curves_part
from mlcore.spec import RunSpec
from runs import code_task
from runs.limits import LimitError
from ui import keys, state, write_check

# The lab's recipe: plain gradient descent (no momentum, constant rate), float64.
LAB_RUN = TrainConfig(
    hidden_size=100,
    learning_rate=0.5,
    iterations=2,
    batch_size=128,
    scale="unit",
    momentum=0.0,
    schedule="constant",
    dtype="float64",
)
NAMES = ["your code", "reference"]
LESSON = (
    "Written the lab's way (np.insert to prepend the bias on every call, float64), a pass "
    "over MNIST in mini-batches takes about {pass_ratio} as long as this app's fused step "
    "(float32, bias kept apart), and a full-batch step {step_ratio}: the same maths, written "
    "for speed ({when})."
)
# Measured 2026-12-07 on a busy 2-core machine: bench/sandbox.py --only speed --rounds 3
# (h23box, pass: 3.07, 2.94, 2.87) and bench/bench.py --only full --rounds 3 (step: 6.92x;
# 5.1x on a quiet 2026-11-30).
LAB_RATIOS = {"pass_ratio": "2.9×", "step_ratio": "6.9×", "when": "measured 2026-12-07"}


def start(source: str) -> None:
    """Submit the student's run and the reference's, all or none (LimitError said once)."""
    try:
        code_task.admit(source, local=write_check.same_machine())
    except code_task.LocalOnly as error:
        st.session_state[keys.WRITE_TRAIN_ERROR] = str(error)
        return
    data = state.dataset()
    ref = state.data_ref(data)
    requests = [
        (
            RunSpec(LAB_RUN, data.kind, code=code),
            ref,
            data.description,
            len(data.y_train),
            None,
            "train",
            None,
        )
        for code in (source, inspect.getsource(lab_reference))
    ]
    try:
        mine, reference = state.scheduler().submit_all(state.workspace_id(), requests)
    except (LimitError, ValueError) as error:
        st.session_state[keys.WRITE_TRAIN_ERROR] = str(error)
        return
    st.session_state[keys.WRITE_RUNS] = (mine.id, reference.id)


def runs() -> list:
    """[your run, the reference run] as they are now, or [] before Train with my code."""
    ids = st.session_state.get(keys.WRITE_RUNS)
    found = [state.scheduler().get(i) for i in ids] if ids else []
    return found if found and all(found) else []


def parting(mine, reference) -> str:
    """Where the two loss curves part, in a sentence, with the tolerance."""
    ref_loss = {p.iteration: p.train_loss for p in reference.history}
    shared = [p for p in mine.history if p.iteration in ref_loss]
    if not shared:
        return ""
    parted = where_curves_part(
        [ref_loss[p.iteration] for p in shared], [p.train_loss for p in shared], CURVE_RTOL
    )
    if parted is None:
        so_far = "" if not (mine.active or reference.active) else " so far"
        return (
            f"Your curve is the reference's at all {len(shared)} points{so_far} (to a "
            f"relative {CURVE_RTOL:g}): your functions train as the lab's do."
        )
    index, difference = parted
    return (
        f"The curves part at iteration {shared[index].iteration:g}: your loss is "
        f"{difference:+.4g} from the reference's (tolerance: a relative {CURVE_RTOL:g})."
    )


def stop_all() -> None:
    for run in runs():
        if run.active:
            state.scheduler().stop(run.id, state.workspace_id())
