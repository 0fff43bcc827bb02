"""The Train page's settings: one writer (ui/train_settings.py), presets as one type."""

from __future__ import annotations

import time

from mlcore.lessons import PRESET_RESULTS, PRESET_WORDS
from mlcore.train import TrainConfig
from runs.scheduler import get_scheduler
from ui import train_settings
from ui.train_settings import PRESETS, Preset

from .conftest import ROOT
from .test_pages import open_train_link

APP_CODE = [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]


def test_only_train_settings_writes_the_train_pages_settings():
    def writes_settings(text: str) -> bool:  # widget values of a TrainConfig into the session
        return "to_widgets(" in text and "session_state.update(" in text

    writers = [path.name for path in APP_CODE if writes_settings(path.read_text())]
    assert writers == ["train_settings.py"]


def test_every_preset_is_one_preset_with_its_word_settings_and_measured_accuracy():
    assert list(PRESETS) == list(PRESET_WORDS.values())
    for name, preset in PRESETS.items():
        assert isinstance(preset, Preset) and preset.name == name
        assert PRESET_WORDS[preset.word] == name and isinstance(preset.config, TrainConfig)
        assert preset.results == PRESET_RESULTS[preset.word]


def test_a_presets_results_say_the_active_data_first_and_how_to_measure_them():
    quick = PRESETS[PRESET_WORDS["quick-start"]]
    text = quick.results_text("sample")
    assert text.index("94.50%") < text.index("97.84%") and "--preset quick-start" in text
    assert quick.results_text("upload").startswith("Measured: 97.84%")
    assert Preset("x", "x", TrainConfig(), {}).results_text("full") == ""
    assert train_settings.CUSTOM not in PRESETS


# Found by review: a link opened where the workspace had a run showed the run's settings,
# and a run started elsewhere in the workspace took over a tab whose settings were being edited.
def test_a_settings_link_in_a_workspace_with_a_run_keeps_the_links_settings():
    at1 = open_train_link("A" * 32, hidden_size="100", iterations="1", batch_size="full")
    assert at1.select_slider(key="hidden_size").value == 100
    at1.button(key="start").click().run()
    run = get_scheduler().get(at1.session_state["current_run"])
    assert run is not None and run.config.hidden_size == 100
    at2 = open_train_link("A" * 32, hidden_size="50", learning_rate="0.1", batch_size="full")
    assert at2.select_slider(key="hidden_size").value == 50


def test_a_setting_changed_while_a_run_is_on_screen_is_kept_over_reruns():
    at = open_train_link("B" * 32, hidden_size="100", iterations="1", batch_size="full")
    at.button(key="start").click().run()
    at.select_slider(key="hidden_size").set_value(50).run()
    at.run()
    at.run()
    assert at.select_slider(key="hidden_size").value == 50


def test_a_run_started_elsewhere_in_the_workspace_does_not_overwrite_settings_being_edited():
    at1 = open_train_link("C" * 32, hidden_size="100", iterations="1", batch_size="full")
    at1.button(key="start").click().run()
    at2 = open_train_link("C" * 32)  # a second tab (or a reload): the run on screen is the newest
    assert at2.select_slider(key="hidden_size").value == 100
    at2.select_slider(key="hidden_size").set_value(50).run()
    assert at2.select_slider(key="hidden_size").value == 50
    at1.select_slider(key="hidden_size").set_value(20).run()
    deadline = time.monotonic() + 120
    while get_scheduler().get(at1.session_state["current_run"]).active:
        assert time.monotonic() < deadline
        time.sleep(0.3)
    at1.run()
    at1.button(key="start").click().run()  # tab 1 (or a lesson) starts another run
    at2.select_slider(key="learning_rate").set_value(0.1).run()  # tab 2 goes on editing
    assert at2.select_slider(key="hidden_size").value == 50
