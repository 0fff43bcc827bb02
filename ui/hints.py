"""Hints under a finished run on the Train page, each with a button that applies its fix."""

from __future__ import annotations

from dataclasses import fields, replace

import streamlit as st

from mlcore.hints import hints
from mlcore.train import TrainConfig
from runs.scheduler import Run
from ui.lessons import nearest_rate


def apply_fix(config: TrainConfig) -> None:
    """Fill the Train page's settings (session keys named as TrainConfig fields) with config."""
    config = replace(config, learning_rate=nearest_rate(config.learning_rate))  # a slider value
    for f in fields(TrainConfig):
        st.session_state[f.name] = getattr(config, f.name)


def render(run: Run | None) -> None:
    """What went wrong in run, if anything, with a one-click fix for each hint."""
    if run is None or run.active or run.kind != "train":
        return
    for i, hint in enumerate(hints(run.config, run.history)):
        st.warning(f"**Hint:** {hint.problem}")
        st.button(
            hint.fix,
            key=f"hint_fix_{i}",
            on_click=apply_fix,
            args=(hint.config,),
            help="Fills in the settings above; press Start to try them.",
        )
