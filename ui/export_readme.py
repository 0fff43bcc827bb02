"""The README.txt of a runs zip: what each file is, and five lines of plain NumPy that load
a model and reproduce its test accuracy (tests/test_export.py runs them)."""

from __future__ import annotations

from collections.abc import Sequence

FILES = """\
What is in this zip

  runs.csv                 one row per report of every run: the run's settings, then what it
                           measured (training loss, accuracies, gradient sizes, ...).
  run-<id>/settings.json   what the run was: "settings" (numbers as numbers; batch_size null
                           means full batch), "link" (the same as the app's address and the
                           command line spell them), its data, status and last test accuracy.
  run-<id>/model.npz       the trained network (runs that have weights), a NumPy .npz:
      w1 (784, H), b1 (H,)  the hidden layer: h = sigmoid(x @ w1 + b1)
      w2 (H, 10), b2 (10,)  the output layer: logits = h @ w2 + b2; the digit is their argmax
      scaling (2,)          [offset, divisor]: the network's input x is (pixels - offset) /
                            divisor, pixels being a row of 784 raw 0-255 values (28 x 28,
                            row by row, white ink on black as in MNIST)
      scaling_name          which scaling: raw (0, 1), unit (0, 255) or standard (mean, std
                            of the training pixels)
      info                  JSON text: the settings, data and accuracy the model came from
"""

EXAMPLE = """\
import gzip, numpy as np
m = np.load("run-{run}/model.npz")
X = np.frombuffer(gzip.open("t10k-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 784)
y = np.frombuffer(gzip.open("t10k-labels-idx1-ubyte.gz").read()[8:], np.uint8)
h = 0.5 + 0.5 * np.tanh(((X - m["scaling"][0]) / m["scaling"][1] @ m["w1"] + m["b1"]) / 2)
print(f"{{np.mean((h @ m['w2'] + m['b2']).argmax(axis=1) == y):.2%}}")
"""


def readme(runs: Sequence) -> str:
    """README.txt for a zip of runs: the files, then the example for the first run with a
    model and its test accuracy (the example prints it), or a line saying none has one."""
    with_model = [r for r in runs if r.usable and r.latest_test_accuracy is not None]
    if not with_model:
        return FILES + "\nNone of these runs has a model to load.\n"
    run = with_model[0]
    return FILES + USE.format(
        run=run.id,
        data=run.data_label,
        accuracy=f"{100 * run.latest_test_accuracy:.2f}%",
        example=EXAMPLE.format(run=run.id),
    )


USE = """
Using a model with plain NumPy

Put the test files of the data run {run} trained on ({data}) beside this README:
t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (full MNIST's official test set; the
app's bundled sample keeps its own in mlcore/sample/). Then, in Python (the files' headers
are 16 and 8 bytes; 0.5 + 0.5 tanh(z/2) is the sigmoid 1/(1 + exp(-z)), without overflow):

{example}
It prints {accuracy}, the test accuracy the app measured for this run (a run stopped between
reports: its last measurement, a few batches before these weights).
"""
