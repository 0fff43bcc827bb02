"""Input scaling: raw 0-255 pixels (as in the lab), [0, 1], or standardized.

A Scaling is fitted once on the training pixels and saved with the model, so a canvas
drawing is scaled exactly like the images the network learned from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCALES = ("raw", "unit", "standard")
# Each scale as run labels write it (the settings and the lessons name them so too).
SCALE_WORDS = {"raw": "raw 0–255", "unit": "[0, 1]", "standard": "standardized"}
COUNT_SLICE = 1 << 18  # pixels counted at a time by _mean_std (a 2 MB int64 copy)


@dataclass(frozen=True)
class Scaling:
    """x -> (x - offset) / divisor, applied to raw 0-255 pixel values."""

    name: str
    offset: float
    divisor: float

    def apply(self, X: np.ndarray, dtype=np.float32) -> np.ndarray:
        """Scale raw pixels X (n, 784) of any numeric dtype -> a new array of dtype."""
        kind = np.dtype(dtype).type
        X = np.asarray(X)
        # One new array, scaled in place: never a converted copy and a result side by side
        # (full MNIST: 188 MB of float32 each), whether or not NumPy elides the temporary.
        out = np.empty(X.shape, dtype=kind)
        np.subtract(X, kind(self.offset), out=out, dtype=kind)
        out *= kind(1.0 / self.divisor)
        return out

    @property
    def background(self) -> float:
        """The scaled value of a black (0) pixel: what augmentation fills uncovered pixels with."""
        return float(self.apply(np.zeros(1))[0])


def fit_scaling(name: str, X_train: np.ndarray) -> Scaling:
    """The Scaling called name, its statistics (for "standard") taken from X_train (n, 784).

    "standard" uses one mean and one standard deviation over all pixels, so the always-black
    border pixels (std 0) need no special case.
    """
    if name == "raw":
        return Scaling("raw", 0.0, 1.0)
    if name == "unit":
        return Scaling("unit", 0.0, 255.0)
    if name == "standard":
        mean, std = _mean_std(X_train)
        if not std > 0:
            raise ValueError("cannot standardize: every training pixel has the same value")
        return Scaling("standard", mean, std)
    raise ValueError(f"scale must be one of {SCALES}, got {name!r}")


def _mean_std(X: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of all values; exact and copy-free for uint8 pixels."""
    if X.dtype != np.uint8:
        return float(np.mean(X, dtype=np.float64)), float(np.std(X, dtype=np.float64))
    counts = np.zeros(256)
    flat = X.reshape(-1)  # a view for the C-contiguous arrays read from IDX files
    # bincount casts its input to int64: in slices, that copy stays at 8 x COUNT_SLICE bytes
    # (all of full MNIST at once: a 376 MB int64 copy of its 47 MB of pixels).
    for start in range(0, flat.size, COUNT_SLICE):
        counts += np.bincount(flat[start : start + COUNT_SLICE], minlength=256)
    values = np.arange(256.0)
    mean = counts @ values / counts.sum()
    return float(mean), float(np.sqrt(counts @ (values - mean) ** 2 / counts.sum()))
