"""Training, as one import: the config, the resumable state, the generator of reports.

The parts live in mlcore.config (TrainConfig and its settings' text), mlcore.loop (TrainState,
train), mlcore.progress (Progress, when reports are due) and mlcore.optim (SGD); the names
here stay for the code that imports them from mlcore.train.
Run as `python -m mlcore.train` to train from the command line (see mlcore.cli).
"""

from mlcore.config import CHOICES, DTYPES, NONE_WORDS, SCHEDULES, SOFTMAXES, TrainConfig
from mlcore.loop import (
    DIVERGED_LOSS,
    TrainState,
    batches_per_iteration,
    last_batch_rows,
    learning_rate_at,
    new_state,
    train,
)
from mlcore.optim import SGD
from mlcore.progress import EARLY_TESTS, REPORTS_PER_ITERATION, Progress, latest_test_accuracy

__all__ = [
    "CHOICES",
    "DIVERGED_LOSS",
    "DTYPES",
    "EARLY_TESTS",
    "NONE_WORDS",
    "REPORTS_PER_ITERATION",
    "SCHEDULES",
    "SGD",
    "SOFTMAXES",
    "Progress",
    "TrainConfig",
    "TrainState",
    "batches_per_iteration",
    "last_batch_rows",
    "latest_test_accuracy",
    "learning_rate_at",
    "new_state",
    "train",
]

if __name__ == "__main__":
    from mlcore.cli import main

    raise SystemExit(main())
