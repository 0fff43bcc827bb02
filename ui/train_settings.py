"""The Train page's settings in the session: the one place that writes them, and the presets.

The settings' widget keys are TrainConfig's field names (ui/widgets.py turns values both
ways). Written here only: the defaults, a shared link's settings, a preset, a hint's fix
(ui/hints.py) and a lesson's "try it on the Train page" (ui/lessons.py) all call write().
"""

from __future__ import annotations

from dataclasses import fields
from typing import NamedTuple

import streamlit as st

from mlcore import lessons
from mlcore.spec import config_from_params
from mlcore.train import TrainConfig
from ui import keys, state
from ui.widgets import from_widgets, to_widgets, widget_problem

DEFAULTS = TrainConfig()
RUN_PARAM = "run"  # ?run=<id>: the run on screen, kept in the address
CUSTOM = "custom: your own settings"  # the preset shown once a setting differs from them all
WHERE = {"full": "trained on full MNIST", "sample": "trained on the bundled sample"}


class Preset(NamedTuple):
    """One preset: its name on the Train page, the CLI's --preset word, its settings, and
    the test accuracy it reached when measured ({"full" | "sample": "97.84%"})."""

    name: str
    word: str
    config: TrainConfig
    results: dict[str, str]

    def results_text(self, kind: str) -> str:
        """What it reached when measured, on the data kind active now first ("" if unknown)."""
        here = "sample" if kind == "sample" else "full"
        other = "full" if here == "sample" else "sample"
        if here not in self.results:
            return ""
        return (
            f"Measured: {self.results[here]} test accuracy {WHERE[here]} (what you have now), "
            f"{self.results.get(other, '?')} {WHERE[other]} — "
            f"`python -m mlcore.train --preset {self.word}`."
        )


PRESETS = {  # by name, in the lessons' order
    name: Preset(name, word, lessons.PRESETS[name], lessons.PRESET_RESULTS.get(word, {}))
    for word, name in lessons.PRESET_WORDS.items()
}


def write(config: TrainConfig) -> None:
    """Show config in the Train page's widgets (this session); a value no widget can show is
    left as it was. Written while the run on screen is the one now on screen (follow_run)."""
    values = to_widgets(config)
    st.session_state.update({k: v for k, v in values.items() if not widget_problem(k, v)})
    _written_for_the_run_on_screen()


def _written_for_the_run_on_screen() -> None:
    """The settings now shown were chosen while the run on screen is this one; the tab keeps
    showing it (a run started elsewhere in the workspace does not take the screen over)."""
    run = state.current_run()
    if run is not None:
        st.session_state.setdefault(keys.CURRENT_RUN, run.id)
    st.session_state[keys.SETTINGS_OF] = None if run is None else run.id


def follow_run() -> None:
    """The widgets show the run on screen's settings once it is another run than when they
    were last written (a lesson's run, a run back after a reload): not the defaults."""
    run = state.current_run()
    if run is not None and st.session_state.get(keys.SETTINGS_OF) != run.id:
        write(run.config)


def read() -> TrainConfig:
    """The settings the widgets show; ValueError names one TrainConfig refuses."""
    return from_widgets(st.session_state)


def start(params: dict[str, str]) -> list[str]:
    """Fill in the defaults; once per session, a shared link's settings (params: its query
    parameters) over them. Returns what the link asked that cannot be shown, as sentences."""
    for name, value in to_widgets(DEFAULTS).items():
        st.session_state.setdefault(name, value)
    if st.session_state.get(keys.URL_READ):
        return []
    st.session_state[keys.URL_READ] = True
    _show_linked_run(params.get(RUN_PARAM, ""))
    if not set(params) & {f.name for f in fields(TrainConfig)}:  # no settings: keep the session's
        return []
    linked, problems = config_from_params(params)
    values, defaults = to_widgets(linked), to_widgets(DEFAULTS)
    for f in fields(TrainConfig):
        if problem := widget_problem(f.name, values[f.name]):  # valid, but no widget shows it
            problems.append(problem)
            values[f.name] = defaults[f.name]
    st.session_state.update(values)
    _written_for_the_run_on_screen()  # the link's settings, not the run on screen's
    return problems


def _show_linked_run(run_id: str) -> None:
    """The address's run (?run=<id>, the run on screen before a reload) goes on screen, if it
    is one of this workspace's; any other id is ignored (the newest run shows)."""
    if any(r.id == run_id for r in state.runs()):  # runs() reads the workspace's back first
        st.session_state[keys.CURRENT_RUN] = run_id


def apply_preset() -> None:
    """The preset selectbox's on_change: its settings into the widgets."""
    if (preset := PRESETS.get(st.session_state[keys.PRESET])) is not None:
        write(preset.config)


def matching_preset() -> str:
    """The preset chosen if the settings are still its own, else one they equal, else CUSTOM."""
    try:
        now = read()
    except ValueError:  # a combination TrainConfig refuses (Start says why)
        return CUSTOM
    chosen = PRESETS.get(st.session_state.get(keys.PRESET))
    if chosen is not None and chosen.config == now:
        return chosen.name
    return next((p.name for p in PRESETS.values() if p.config == now), CUSTOM)
