"""Make the bundled sample: a stratified subset of the official MNIST files, same IDX .gz format.

python scripts/make_sample.py [MNIST_DIR] [--train-per-digit 1000] [--test-per-digit 200]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mlcore.data import ROLES, SAMPLE_DIR, load_mnist
from mlcore.idx import write_idx


def stratified(y: np.ndarray, per_digit: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of per_digit random examples of each digit, in the original order."""
    picks = [rng.choice(np.flatnonzero(y == d), per_digit, replace=False) for d in range(10)]
    return np.sort(np.concatenate(picks))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("mnist_dir", nargs="?", default=os.environ.get("MNIST_DIR"))
    p.add_argument("--train-per-digit", type=int, default=1000)
    p.add_argument("--test-per-digit", type=int, default=200)
    p.add_argument("--out", type=Path, default=SAMPLE_DIR)
    args = p.parse_args()
    if not args.mnist_dir:
        p.error("give the directory of the official MNIST files (or set MNIST_DIR)")
    data = load_mnist(args.mnist_dir)
    rng = np.random.default_rng(0)
    train = stratified(data.y_train, args.train_per_digit, rng)
    test = stratified(data.y_test, args.test_per_digit, rng)
    args.out.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train_images": data.X_train[train].reshape(-1, 28, 28),
        "train_labels": data.y_train[train],
        "test_images": data.X_test[test].reshape(-1, 28, 28),
        "test_labels": data.y_test[test],
    }
    for role, array in arrays.items():
        write_idx(args.out / f"{ROLES[role]}.gz", array)
    print(f"wrote {len(train)} training and {len(test)} test images to {args.out}")


if __name__ == "__main__":
    main()
