"""Choices offered by the Train page's widgets (values the core's TrainConfig accepts)."""

from mlcore.train import PRESETS

HIDDEN_SIZES = [1, 2, 5, 10, 20, 32, 50, 64, 100, 128, 200, 256, 300, 400, 512, 800, 1000]
LEARNING_RATES = [
    0.0001,
    0.0003,
    0.001,
    0.003,
    0.005,
    0.01,
    0.02,
    0.03,
    0.05,
    0.1,
    0.2,
    0.3,
    0.5,
    1.0,
    2.0,
    3.0,
    5.0,
    10.0,
    100.0,
    1000.0,
]
BATCH_SIZES = [None, 16, 32, 64, 128, 256, 512, 1024]
MOMENTA = [0.0, 0.5, 0.8, 0.9, 0.95, 0.99]
SCALE_LABELS = {
    "raw": "raw 0–255 (lab)",
    "unit": "[0, 1]",
    "standard": "standardized",
}

for _preset in PRESETS.values():  # every preset must be reachable with these widgets
    assert _preset.hidden_size in HIDDEN_SIZES and _preset.learning_rate in LEARNING_RATES
    assert _preset.batch_size in BATCH_SIZES and _preset.momentum in MOMENTA
