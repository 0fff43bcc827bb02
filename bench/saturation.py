"""Saturated share and mean sigma'(z) of saved models on the probe (500 training images, seed 712).

The same rows as the Train page's diagnostics and the Inside page. Usage:
    python bench/saturation.py MODEL.npz [MODEL.npz ...]   (MNIST_DIR: the data to probe)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcore import inspection as ins
from mlcore.data import load_mnist
from mlcore.model import load_model

data = load_mnist()
probe = data.X_train[ins.probe_rows(len(data.y_train), 712)]
for path in sys.argv[1:]:
    m = load_model(path)
    z = ins.preactivations(m.params, m.scaling.apply(probe, m.params.dtype))
    share, slope = ins.saturated_share(z), ins.mean_sigmoid_slope(z)
    test = m.info.test_accuracy or float("nan")
    print(f"{path}: test {100 * test:.2f}%  saturated {100 * share:.1f}%  mean σ'(z) {slope:.4f}")
