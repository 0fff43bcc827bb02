"""The Train page's settings: one writer (ui/train_settings.py), presets as one type."""

from __future__ import annotations

from mlcore.lessons import PRESET_RESULTS, PRESET_WORDS
from mlcore.train import TrainConfig
from ui import train_settings
from ui.train_settings import PRESETS, Preset

from .conftest import ROOT

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
