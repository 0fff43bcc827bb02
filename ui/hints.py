"""Hints under a finished run on the Train page, each with a button that applies its fix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

import streamlit as st

from mlcore.hints import hints
from mlcore.train import TrainConfig
from runs.scheduler import Run
from ui import keys, train_settings
from ui.lessons import nearest_rate
from ui.widgets import AUGMENT_LABELS, SCALE_LABELS, to_widgets

SETTINGS_OPEN = keys.SETTINGS_OPEN  # the Train page's Settings expander is open
NOTICE = keys.NOTICE  # what a fix changed: said once, under the hints
NAMES = {  # how the Train page's widgets name the fields
    "hidden_size": "Hidden units",
    "learning_rate": "Learning rate",
    "iterations": "Iterations",
    "batch_size": "Batch size",
    "seed": "Seed",
    "scale": "Input scaling",
    "init": "Initialisation",
    "init_scale": "Initial weight scale",
    "momentum": "Momentum",
    "schedule": "Learning-rate schedule",
    "softmax": "Softmax",
    "dtype": "Precision",
    "augment": "Augmentation",
}

WORDS = {"scale": SCALE_LABELS, "augment": AUGMENT_LABELS, "batch_size": {"full": "full batch"}}


def changes(before: TrainConfig, after: TrainConfig) -> str:
    """What differs, in the widgets' words: "Learning rate 100 → 0.05"."""
    old, new = to_widgets(before), to_widgets(after)
    shown = [
        f"{NAMES[f.name]} {_text(f.name, old[f.name])} → {_text(f.name, new[f.name])}"
        for f in fields(TrainConfig)
        if old[f.name] != new[f.name]
    ]
    return "; ".join(shown)


def _text(name: str, value) -> str:
    """A setting's value as its widget shows it."""
    if name in WORDS:
        return WORDS[name].get(value, str(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def apply_fix(before: TrainConfig, config: TrainConfig) -> None:
    """Fill the Train page's settings with config, open them and say what changed."""
    config = replace(config, learning_rate=nearest_rate(config.learning_rate))  # a slider value
    train_settings.write(config)
    st.session_state[SETTINGS_OPEN] = True
    st.session_state[NOTICE] = (
        f"{changes(before, config)}: press **Start** to try it (the settings above are open)."
    )


def render(run: Run | None, go_on: Callable[[], None] | None = None) -> None:
    """What went wrong in run, if anything, with a one-click fix for each hint; go_on: what
    the page's Continue does (a hint that asks for more training continues this run)."""
    if run is None or run.active or run.kind != "train":
        return
    for i, hint in enumerate(hints(run.config, run.history)):
        st.warning(f"**Hint:** {hint.problem}")
        if hint.action == "continue" and go_on is not None and run.continuable:
            st.button(
                hint.fix,
                key=f"hint_fix_{i}",
                on_click=go_on,
                help="Trains this run on from where it ended, as long again (as Continue).",
            )
            continue
        st.button(  # a run that cannot go on: its settings, for a new run
            hint.fix if hint.action == "settings" else f"New run: {hint.config.iterations} it.",
            key=f"hint_fix_{i}",
            on_click=apply_fix,
            args=(run.config, hint.config),
            help="Fills in the settings above and opens them; press Start to try them.",
        )
    if NOTICE in st.session_state:  # under the button just clicked, where the student looks
        st.info(st.session_state.pop(NOTICE))
