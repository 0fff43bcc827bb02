"""Leave build kinds out: how a design names kinds of non-digit its network never saw.

Held-out sets may be looked at once; designs are chosen here, on BUILD kinds only. The 14 BUILD
families of tests/nondigits.py are split into GROUPS; for each group a smaller network of the
detector's kind (one of HIDDEN units, PASSES passes: a proxy, ~5 s to train) is trained on
MNIST digits, redrawn training digits and the other groups' families, and the group's families
are read through the page's path (100 of each, seed 0, as bench/nondigits.py draws them). Each
design's threshold lets the page (hand rules + design) doubt or refuse DOUBTED of the BUILD
real digits. Designs: the network alone; the network fused with the distance to the nearest
real digits (bench/digit_likeness.py); with `cnn`, also bench/nondigit_cnn.py's convolutional
network (CNN_PASSES passes, same data); with `cnn N`, also N such networks' logits averaged
(an ensemble; the first is the CNN column's, the others seeded on their own, so every other
column is as without N). ~5 min on 2 busy cores (with `cnn`: ~15 min; `cnn 3`: ~5 min more):
    MNIST_DIR=/work/shared/datasets/mnist OPENBLAS_NUM_THREADS=1 \
        python bench/nondigit_lofo.py [cnn [N]]
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cnn_train  # bench/, beside this
import nondigit_detector
from digit_likeness import DOUBTED, Likeness, fused_score, nearest_distance, pooled
from nondigit_cnn import F1, F2
from nondigit_cnn import HIDDEN as CNN_HIDDEN

from mlcore.conv import ConvParams, conv_logits
from mlcore.data import load_mnist
from mlcore.digit_check import NOT_A_DIGIT, read_canvas
from mlcore.functions import softmax
from mlcore.network import forward
from tests.nondigits import BUILD, family, redrawn_digits

SEED = 1234
GROUPS = (  # BUILD families left out together: letters, other glyphs, stroke letters, shapes,
    (0, 1, 2),  # scribbles (indices in BUILD's order)
    (3, 4),
    (5, 6),
    (7, 8, 9, 10),
    (11, 12, 13),
)
HIDDEN, PASSES = 100, 4
CNN_PASSES = 4  # the CNN's proxy too: half of bench/nondigit_cnn.py's passes
MNIST_ROWS, REDRAWN, PER_FAMILY, REFERENCES = 20_000, 15_000, 800, 10_000


def read(canvases: list) -> dict:
    """Canvases through the page's hand rules -> ruled (n,) bool: refused or doubted; pixels
    (n, 784) 0-255 (zeros where refused)."""
    readings = [read_canvas(c, None) for c in canvases]
    return {
        "ruled": np.array([r.problem is not None or r.doubt is not None for r in readings]),
        "pixels": np.array(
            [np.zeros(784) if r.pixels is None else r.pixels.ravel() for r in readings],
            np.float32,
        ),
    }


def redrawn_training_digits(mnist, rng) -> tuple[np.ndarray, np.ndarray]:
    """REDRAWN training digits redrawn, those the hand rules let through -> (X (m, 784) 0-255,
    y (m,))."""
    rows = rng.permutation(len(mnist.y_train))[:REDRAWN]
    parts = [
        read(redrawn_digits(mnist.X_train[rows[a : a + 500]], 200 + a))
        for a in range(0, REDRAWN, 500)
    ]
    ruled = np.concatenate([p["ruled"] for p in parts])
    return np.vstack([p["pixels"] for p in parts])[~ruled], mnist.y_train[rows][~ruled]


def threshold(scores: np.ndarray, ruled: np.ndarray) -> float:
    """The threshold doubting at most DOUBTED of the digits, the ruled (n,) already doubted."""
    room = int(DOUBTED * len(ruled)) - int(ruled.sum())
    return float(np.sort(scores[~ruled])[::-1][max(room, 0)])


def network_designs(p, data: dict) -> dict:
    """{design: score of pixels (n, 784) -> (n,)}: the network's "not a digit" p, and p fused
    with the distance to the nearest real digits."""
    digits, refs = data["digits"], data["references"]
    clean = ~digits["ruled"]
    likeness = Likeness(
        refs,
        np.sort(p(digits["pixels"][clean])),
        np.sort(nearest_distance(digits["pixels"][clean], refs)),
        0.0,
    )
    return {
        "network": lambda x: p(x),
        "network fused with nearest digits": lambda x: fused_score(
            p(x), nearest_distance(x, refs), likeness
        ),
    }


def cnn_designs(X, y, rng, members: int, seed: tuple) -> dict:
    """{design: score}: the convolutional proxy trained with rng, and (members > 1) it and
    members - 1 more (their own seeds: seed + (k,)) with their logits averaged."""
    nets = [cnn_train.train(X, y, rng, (F1, F2, CNN_HIDDEN), CNN_PASSES)[0]]
    for k in range(1, members):
        own = np.random.default_rng([*seed, k])
        nets.append(cnn_train.train(X, y, own, (F1, F2, CNN_HIDDEN), CNN_PASSES)[0])
    designs = {"CNN": nets[0]}
    if members > 1:
        stacked = ConvParams(*(np.stack(a) for a in zip(*nets, strict=True)))
        designs[f"{members} CNNs averaged"] = stacked
    return {
        name: lambda x, c=conv: softmax(conv_logits(c, x / 255))[:, NOT_A_DIGIT]
        for name, conv in designs.items()
    }


def fold(held: tuple, data: dict, rng, cnn: bool = False, members: int = 1) -> dict:
    """Named share of each held family by each design, its network trained without them."""
    kept = [i for i in range(len(BUILD)) if i not in held]
    X = np.vstack([data["mnist_X"], data["redrawn_X"], *(data["train"][i] for i in kept)])
    y = np.concatenate(
        [data["mnist_y"], data["redrawn_y"]]
        + [np.full(len(data["train"][i]), NOT_A_DIGIT) for i in kept]
    )
    X = (X / 255).astype(np.float32)
    net = nondigit_detector.train(X, y.astype(int), rng, HIDDEN)

    def p(pixels):
        return softmax(forward(net, pixels / 255).logits)[:, NOT_A_DIGIT]

    designs = network_designs(p, data)
    if cnn:  # bench/nondigit_cnn.py's network, CNN_PASSES passes
        designs.update(cnn_designs(X, y.astype(int), rng, members, (SEED, *held)))
    digits, out = data["digits"], {}
    for name, score in designs.items():
        t = threshold(score(digits["pixels"]), digits["ruled"])
        out[name] = [
            float(np.mean(data["eval"][i]["ruled"] | (score(data["eval"][i]["pixels"]) > t)))
            for i in held
        ]
    return out


def lofo_data(rng, mnist) -> dict:
    """Training digits (MNIST and redrawn), each BUILD family's training and evaluation
    drawings, BUILD redrawn test digits and reference digits, all through the page's path."""
    rows = rng.permutation(len(mnist.y_train))[:MNIST_ROWS]
    redrawn_X, redrawn_y = redrawn_training_digits(mnist, rng)
    train = [read(family(n, PER_FAMILY, seed=1)) for n in BUILD]
    return {
        "mnist_X": mnist.X_train[rows].astype(np.float32),
        "mnist_y": mnist.y_train[rows],
        "redrawn_X": redrawn_X,
        "redrawn_y": redrawn_y,
        "train": [t["pixels"][~t["ruled"]] for t in train],
        "eval": [read(family(n, 100)) for n in BUILD],
        "digits": read(redrawn_digits(mnist.X_test[0::2][:3000])),
        "references": pooled(redrawn_X[:REFERENCES]),
    }


def main(cnn: bool = False, members: int = 1) -> None:
    rng, mnist = np.random.default_rng(SEED), load_mnist()
    nondigit_detector.PASSES = PASSES  # the proxy: fewer passes than the shipped recipe
    names, data = list(BUILD), lofo_data(rng, mnist)
    columns = ["network", "network fused with nearest digits"] + (["CNN"] if cnn else [])
    columns += [f"{members} CNNs averaged"] if cnn and members > 1 else []
    print("| left out | family | " + " | ".join(columns) + " |\n|---|---|" + "---|" * len(columns))
    totals: dict = {}
    for g, held in enumerate(GROUPS):
        named = fold(held, data, rng, cnn, members)
        for j, i in enumerate(held):
            print(
                f"| group {g} | {names[i]} | "
                + " | ".join(f"{100 * v[j]:.0f}" for v in named.values())
                + " |",
                flush=True,
            )
        for k, v in named.items():
            totals.setdefault(k, []).extend(v)
    print(
        "| **all** | | " + " | ".join(f"**{100 * np.mean(v):.1f}**" for v in totals.values()) + " |"
    )


if __name__ == "__main__":
    main(sys.argv[1:2] == ["cnn"], int(sys.argv[2]) if len(sys.argv) > 2 else 1)
