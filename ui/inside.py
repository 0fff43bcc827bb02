"""The sections of "Inside the network": what each model's numbers are and how they are drawn.

Heavy results (test-set probabilities, hidden pre-activations on the probe) are computed once
per (model id, snapshot) and kept in st.session_state; a run still training gets new ones
only when it sends a new snapshot. All math comes from mlcore.inspection.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st

from mlcore import inspection as ins
from mlcore.conclusion import value_text
from mlcore.data import Dataset
from mlcore.model import Model
from mlcore.train import TrainConfig
from ui import inside_charts as charts
from ui import keys, picker, state
from ui.text import counted, honest_percent, probability

CACHE = keys.INSIDE_CACHE  # {(model id, snapshot, data): Analysis}, the last few
KEEP = 4
PAGE_SIZE = 100  # hidden units drawn at once (a 10 x 10 grid)
SORTS = {  # the first is the default: the units the outputs listen to most come first
    "outgoing weight size": "largest ||w2 row|| first: the units the outputs listen to most",
    "unit number": "in the order of w1's columns",
    "saturation": "most often saturated first: the units that pass least gradient",
}
UNIT_OF = keys.INSIDE_UNIT_OF  # the model whose most useful unit "Unit" last opened on
NO_OTHER = "none"  # the "Compare with" choice of no other model (a real value: see #19)


class Analysis(NamedTuple):
    """One model on one data set; shapes for n test images and H hidden units."""

    proba: np.ndarray  # (n, 10) test-set probabilities
    counts: np.ndarray  # (10, 10) confusion matrix
    z: np.ndarray  # (k, H) hidden pre-activations on the probe rows
    unit_saturation: np.ndarray  # (H,)
    outgoing: np.ndarray  # (H,) outgoing weight size


def current(model_id: str, data: Dataset) -> tuple[Model, tuple, Analysis]:
    """(model, cache key, Analysis) of the model with that id; a run's latest snapshot.

    The key holds the snapshot's report number (0 for a fixed model), taken from the same
    Run value as the weights (a value no thread changes); the Analysis is computed only when
    the key is new.
    """
    run = state.scheduler().get(model_id)
    if run is not None and run.workspace == state.workspace_id() and run.usable:
        model, snapshot = run.model(), run.snapshot_at
    else:
        model, snapshot = picker.model_of(model_id), 0
    key = (model_id, snapshot, data.kind, data.location, len(data.y_test))
    cache = st.session_state.setdefault(CACHE, {})
    if key not in cache:
        cache[key] = _analyse(model, data)
        while len(cache) > KEEP:
            cache.pop(next(iter(cache)))
    return model, key, cache[key]


def _analyse(model: Model, data: Dataset) -> Analysis:
    proba = model.predict_proba(data.X_test)
    probe = data.X_train[ins.probe_rows(len(data.y_train), TrainConfig().seed)]
    z = ins.preactivations(model.params, model.scaling.apply(probe, model.params.dtype))
    counts = ins.confusion_matrix(data.y_test, np.argmax(proba, axis=1))
    out = ins.outgoing_weight_size(model.params.w2)
    return Analysis(proba, counts, z, ins.unit_saturation(z), out)


def _unit_order(a: Analysis, sort: str) -> np.ndarray:
    if sort == "outgoing weight size":
        return np.argsort(-a.outgoing, kind="stable")
    if sort == "saturation":
        return np.argsort(-a.unit_saturation, kind="stable")
    return np.arange(len(a.outgoing))


def snapshot_words(run, snapshot: int) -> str:
    """How far a run's snapshot (its number of reports) had trained, in a student's words."""
    if snapshot < 1 or snapshot > len(run.history):
        return "as they update while it trains"
    p = run.history[snapshot - 1]
    passes = counted(p.images_seen / max(run.n_train, 1), "pass")
    done = f"after {passes} over the training images ({counted(p.steps, 'update')})"
    return f"{done}; they update as it trains"


def hidden_units(model_id: str, model: Model, a: Analysis) -> None:
    """A page of the unit grid, sortable; the chosen unit's weights in and out, its activations.

    "Unit" opens on the unit with the largest outgoing weights (unit 0 may be noise), again
    whenever another model is shown.
    """
    H = model.params.w1.shape[1]
    c1, c2, c3 = st.columns([2, 2, 1])
    units = _units_shown(c1, c2, a, H)
    if st.session_state.get(UNIT_OF) != model_id or st.session_state.get(keys.INSIDE_UNIT, 0) >= H:
        st.session_state[keys.INSIDE_UNIT] = int(np.argmax(a.outgoing))
        st.session_state[UNIT_OF] = model_id
    unit = c3.number_input(
        "Unit", 0, H - 1, key=keys.INSIDE_UNIT, help="Hover the grid for unit numbers."
    )
    st.plotly_chart(
        charts.unit_grid(ins.hidden_unit_images(model.params.w1, units), units.tolist()),
        key="inside_grid",
    )
    st.caption(
        "Each tile is one hidden unit's 784 incoming weights as a 28×28 image: red pixels push "
        "it on, blue off, white ≈ 0. Trained units look like strokes; noise: it learned little."
    )
    _one_unit(model, a, unit)


def _units_shown(sort_column, page_column, a: Analysis, H: int) -> np.ndarray:
    """The sort and page choices; the ids (<= PAGE_SIZE,) of the units they show."""
    sort = sort_column.selectbox(
        "Sort units by",
        list(SORTS),
        key="inside_sort",
        help="; ".join(f"{k}: {v}" for k, v in SORTS.items()),
    )
    pages = [f"{i + 1}–{min(i + PAGE_SIZE, H)}" for i in range(0, H, PAGE_SIZE)]
    if st.session_state.get(keys.INSIDE_UNITS_PAGE) not in pages:
        st.session_state[keys.INSIDE_UNITS_PAGE] = pages[0]
    shown = page_column.selectbox(
        f"Units shown (of {H})",
        pages,
        key=keys.INSIDE_UNITS_PAGE,
        help=f"{PAGE_SIZE} units at a time, in the order chosen.",
    )
    start = pages.index(shown) * PAGE_SIZE
    return _unit_order(a, sort)[start : start + PAGE_SIZE]


def _one_unit(model: Model, a: Analysis, unit: int) -> None:
    """One unit: its incoming weights, its votes for each digit, its activations."""
    u1, u2, u3 = st.columns(3)
    image = ins.hidden_unit_images(model.params.w1)[unit]
    u1.plotly_chart(
        charts.unit_image(image, f"Unit {unit}: incoming weights"), key="inside_unit_in"
    )
    u2.plotly_chart(
        charts.digit_bars(model.params.w2[unit], f"Unit {unit} → digits", "weight"),
        key="inside_unit_out",
    )
    u3.plotly_chart(
        charts.activation_bars(ins.activation_histogram(a.z[:, unit]), f"Unit {unit}: activations"),
        key="inside_unit_act",
    )
    st.caption(
        f"Unit {unit}: what it looks for (incoming weights), how it votes for each digit "
        f"(→ digits), and how often it fires on {len(a.z)} training images (activations; piled "
        f"at 0 or 1 = saturated, {honest_percent(a.unit_saturation[unit], 0)} of them here). It "
        "opens on the unit with the largest outgoing weights: the one the outputs listen to most."
    )


def saturation(model_id: str, a: Analysis, data: Dataset) -> None:
    """The z histogram of this model beside another one's, with the flat zones shaded."""
    options = {NO_OTHER: "(no other model)"}
    options.update((k, v) for k, v in picker.choices().items() if k != model_id)
    if st.session_state.get(keys.INSIDE_COMPARE) not in options:  # gone, or now the main model
        st.session_state[keys.INSIDE_COMPARE] = NO_OTHER
    other = st.selectbox(
        "Compare with",
        list(options),
        key=keys.INSIDE_COMPARE,
        format_func=options.get,
        help="Another model side by side, e.g. a lab run on raw pixels against one on [0, 1].",
    )
    shown = [("This model", a)]
    if other != NO_OTHER:
        shown.append(("Compared", current(other, data)[2]))
    for i, (col, (name, x)) in enumerate(zip(st.columns(2), shown, strict=False)):
        share, slope = saturation_text(x.z)
        m1, m2 = col.columns(2)
        m1.metric("Saturated", share, help="Share of z with |z| > 4.6 (σ' < 0.01).")
        m2.metric("Mean σ'(z)", slope, help="At most 0.25 (z = 0); ~0 means no gradient.")
        figure = charts.saturation_histogram(
            ins.z_histogram(x.z), ins.Z_EDGES, ins.SATURATION_Z, name
        )
        col.plotly_chart(figure, key=f"inside_saturation_{i}")
    st.caption(
        f"Hidden pre-activations z = x·w1 + b1 on {len(a.z)} fixed training images. In the "
        "shaded zones the sigmoid is flat, its slope σ'(z) ≈ 0, so backprop passes almost "
        "nothing back: the lab's raw 0–255 pixels put nearly every z there. That hurts at the "
        "start, when every unit still has to learn and gradients must flow; in a trained "
        "network it does not: a unit confidently on or off for a digit has learned its job."
    )


def saturation_text(z: np.ndarray) -> tuple[str, str]:
    """(saturated share, mean σ') of pre-activations z (k, H) as the lessons write them:
    99.96%, never a rounded "100.0%"; 0.00015, not "0.0001"."""
    share, slope = ins.saturated_share(z), ins.mean_sigmoid_slope(z)
    return value_text("saturated_share", share), value_text("sigmoid_slope", slope)


def _pick_cell() -> None:
    """A click on the confusion matrix sets the true/predicted pair."""
    points = st.session_state[keys.INSIDE_CONFUSION].selection.get("points", [])
    if points:
        st.session_state[keys.INSIDE_TRUE] = int(points[0]["y"])
        st.session_state[keys.INSIDE_PRED] = int(points[0]["x"])


def confusion(model_id: str, a: Analysis, data: Dataset) -> None:
    """Confusion matrix (counts or shares), accuracy per digit, and a gallery of one cell."""
    right = int(np.trace(a.counts))
    total = int(a.counts.sum())
    normalised = st.toggle(
        "Shares of each true digit",
        key="inside_normalised",
        help="Off: counts of test images. On: each row as % of that digit's images.",
    )
    st.metric("Test accuracy", f"{100 * right / total:.2f}%", help=f"{right:,} of {total:,} right")
    c1, c2 = st.columns([3, 2])
    matrix = ins.normalise_rows(a.counts) if normalised else a.counts
    c1.plotly_chart(
        charts.confusion_heatmap(matrix, normalised),
        key=keys.INSIDE_CONFUSION,
        on_select=_pick_cell,
        selection_mode="points",
    )
    c1.caption(
        f"Row = true digit, column = the network's answer, over {total:,} test images: the "
        "diagonal is right, every other cell a kind of mistake. Pick a cell's pair below to see it."
    )
    c2.plotly_chart(charts.per_digit_bars(ins.per_digit_accuracy(a.counts)), key="inside_digits")
    c2.caption("The share of each digit's test images read right: which digits are hardest.")
    gallery(model_id, a, data)


def _open_on_largest_confusion(model_id: str, counts: np.ndarray) -> None:
    """The pair shown opens on the largest off-diagonal cell of counts (10, 10) of the model on
    screen (8→3 with 13 images, not a pair chosen for another model), and follows a change of
    model until the student picks a pair of their own. Not a newer snapshot of a training run:
    the page reruns every 2 s, and a write sets the selectboxes from the server, which closes
    a dropdown the student has open."""
    chosen = (st.session_state.get(keys.INSIDE_TRUE), st.session_state.get(keys.INSIDE_PRED))
    following = chosen == (None, None) or chosen == st.session_state.get(keys.INSIDE_PAIR_AUTO)
    if not following or st.session_state.get(keys.INSIDE_PAIR_OF) == model_id:
        return
    off = counts * (1 - np.eye(10, dtype=np.int64))
    worst = tuple(int(v) for v in np.unravel_index(np.argmax(off), off.shape))
    st.session_state[keys.INSIDE_TRUE], st.session_state[keys.INSIDE_PRED] = worst
    st.session_state[keys.INSIDE_PAIR_AUTO] = worst
    st.session_state[keys.INSIDE_PAIR_OF] = model_id


def gallery(model_id: str, a: Analysis, data: Dataset) -> None:
    """The mistakes of one true/predicted pair, most confident first."""
    _open_on_largest_confusion(model_id, a.counts)
    g1, g2 = st.columns(2)
    true = g1.selectbox("True digit", range(10), key=keys.INSIDE_TRUE, help="The label in MNIST.")
    pred = g2.selectbox(
        "Predicted digit", range(10), key=keys.INSIDE_PRED, help="The network's answer."
    )
    m = ins.mistakes(a.proba, data.y_test, true=true, predicted=pred)
    if true == pred:
        st.info("Choose two different digits: a mistake is a true digit read as another.")
        return
    if not len(m.index):
        st.success(f"No test image of a {true} was read as a {pred}.")
        return
    st.markdown(
        f"**{counted(len(m.index), 'image')} of a {true} read as a {pred}**, most confident first:"
    )
    first = m.index[:24]
    images = [np.kron(data.X_test[i].reshape(28, 28), np.ones((3, 3), np.uint8)) for i in first]
    captions = [
        f"#{i}: {true}→{pred} {probability(p)}"
        for i, p in zip(first, m.probability[:24], strict=True)
    ]
    st.image(images, caption=captions, width=84)  # a list flows in rows, on a phone too
    st.caption(
        "Each image with its test-set number, true digit → prediction and the probability the "
        "network gave its wrong answer. Confident mistakes are often badly written digits."
    )
