"""The Train page's presets and the CLI's --preset words: named settings, with the test
accuracy each reached when measured. The lessons (mlcore/lessons.py) start from LAB too."""

from __future__ import annotations

from dataclasses import replace

from mlcore.config import TrainConfig

# The lab's own settings: raw pixels, every image in each step, plain gradient descent.
LAB = TrainConfig(
    scale="raw",
    learning_rate=0.01,
    iterations=20,
    batch_size=None,
    momentum=0.0,
    schedule="constant",
)
# The default model's recipe: Simard 2003's 800 units and elastic distortions, in minutes.
ELASTIC = TrainConfig(
    hidden_size=800, learning_rate=0.1, iterations=40, batch_size=128, augment="elastic"
)
# The Train page's presets by name, and the CLI's `--preset` words for them. The names make no
# promise about accuracy: that depends on the data, and PRESET_RESULTS says what was measured.
PRESET_WORDS = {
    "quick-start": "Quick start: the defaults",
    "lab": "The lab: raw pixels, full batch, lr 0.01",
    "lab-unit": "The lab, pixels scaled to [0, 1]",
    "fastest": "Fast: 300 units, 6 passes",
    "best": "Larger: 1,000 units, 12 passes",
    "elastic": "The default model's recipe: elastic distortions, 800 units",
    "elastic-off": "The same without distortions",
    "symmetry": "Symmetry: all-zero weights (only rounding breaks it)",
}
PRESETS = {
    PRESET_WORDS["quick-start"]: TrainConfig(),
    PRESET_WORDS["lab"]: LAB,
    # The same, with pixels in [0, 1]: the sigmoid no longer saturates (a rate to suit it).
    PRESET_WORDS["lab-unit"]: replace(LAB, scale="unit", learning_rate=2.0, iterations=50),
    PRESET_WORDS["fastest"]: TrainConfig(hidden_size=300, learning_rate=0.1, iterations=6),
    PRESET_WORDS["best"]: TrainConfig(hidden_size=1000, learning_rate=0.1, iterations=12),
    # The default model (models/default.npz): each batch shown as elastically distorted copies.
    PRESET_WORDS["elastic"]: ELASTIC,
    # The comparison: the same run, differing only in augment.
    PRESET_WORDS["elastic-off"]: replace(ELASTIC, augment="none"),
    # All hidden units start identical and get identical updates; only float32 rounding in
    # BLAS (edge columns summed in another order) tells them apart, and it grows each step.
    PRESET_WORDS["symmetry"]: TrainConfig(init="zeros", iterations=3),
}
# Test accuracy each preset reached, trained on full MNIST or on the bundled sample (tested on
# the official 10,000 test images / the sample's 2,000), measured on 2026-11-30 with
# `python -m mlcore.train --preset WORD --data full|sample` (scripts/measure_presets.sh).
PRESET_RESULTS: dict[str, dict[str, str]] = {
    "quick-start": {"full": "97.84%", "sample": "94.50%"},
    "lab": {"full": "46.74%", "sample": "45.10%"},
    "lab-unit": {"full": "87.17%", "sample": "86.15%"},
    "fastest": {"full": "98.17%", "sample": "95.45%"},
    "best": {"full": "98.48%", "sample": "96.50%"},
    "elastic": {"full": "99.01%", "sample": "98.45%"},
    "elastic-off": {"full": "98.41%", "sample": "96.50%"},
    "symmetry": {"full": "76.08%", "sample": "29.60%"},
}
