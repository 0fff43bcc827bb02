"""The checks in dependency order: what each function is given and what decides it passes.

Simple functions are compared with the reference on each case; initialize_weights by its shapes
and spread (any normal draw scaled by sqrt(1 / rows) passes), the gradient check by finite
differences of the student's own loss(forward(...)), train by its weights after 3 steps from
the student's own initial weights.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np

from mlcore import lab_inputs as data
from mlcore import lab_reference as ref
from mlcore.lab_checks import (
    Context,
    Failed,
    Finding,
    call,
    check_against_reference,
    compare,
    same,
    show,
)

EPSILON = 1e-6  # finite-difference step (float64)
GRADIENT_TOLERANCE = 1e-5  # largest relative difference a correct back shows (~1e-9 seen)


def _forward_case():
    return (data.X, data.W1, data.W2)


def _back_case():
    y_hat, h = ref.forward(data.X, data.W1, data.W2)
    return (data.X, data.Y, y_hat, data.W2, h)


def check_simple(ctx: Context, name: str, cases: list[tuple[tuple, str]]) -> None:
    for args, case in cases:
        check_against_reference(ctx, name, args, case)


def check_initialize_weights(ctx: Context) -> None:
    """Shapes (785, 20) and (21, 10); mean about 0, spread about sqrt(1 / rows)."""
    np.random.seed(data.SEED)  # the lab draws from np.random: a fixed seed keeps this repeatable
    got = call(ctx, "initialize_weights", data.INIT_SIZES, "(784, 20, 10)")
    np.random.seed(data.SEED)
    expected = ref.initialize_weights(*data.INIT_SIZES)
    shapes = tuple(e.shape for e in expected)
    if (
        not isinstance(got, (tuple, list))
        or len(got) != 2
        or not all(hasattr(g, "shape") for g in got)
    ):
        compare(ctx, "initialize_weights", data.INIT_SIZES, "(784, 20, 10)", expected, got)
    shown = (("input", "(784, 20, 10)"), ("expected shapes", str(shapes)))
    shown += (("got shapes", str(tuple(np.shape(g) for g in got))),)
    if (np.shape(got[0]), np.shape(got[1])) == ((784, 20), (20, 10)):
        raise Failed(Finding("initialize_weights", False, NO_BIAS_ROWS, "no_bias_row", shown))
    if tuple(np.shape(g) for g in got) != shapes:
        sentence = f"The shapes should be {shapes[0]} and {shapes[1]}: one row more than inputs."
        raise Failed(Finding("initialize_weights", False, sentence, "wrong_shape", shown))
    for weights, rows in zip(got, (785, 21), strict=True):
        _check_spread(np.asarray(weights, dtype=np.float64), rows)


NO_BIAS_ROWS = (
    "w1 is (784, 20) and w2 (20, 10): each needs a first row for the bias, so w1 is "
    "(n_input_variables + 1, n_hidden_nodes) = (785, 20) and w2 (21, 10)."
)


def _check_spread(weights: np.ndarray, rows: int) -> None:
    """Failed unless the weights look like randn * sqrt(1 / rows)."""
    want = np.sqrt(1 / rows)
    mean, spread = float(weights.mean()), float(weights.std())
    shown = (("expected", f"mean 0, spread {want:.4f} (sqrt(1 / {rows}))"),)
    shown += (("got", f"mean {mean:.4f}, spread {spread:.4f}"),)
    if spread == 0:
        key, sentence = (
            "all_equal",
            "All weights are equal: every hidden unit would learn the same.",
        )
    elif (weights >= 0).all():
        key, sentence = "uniform", "All weights are positive: np.random.rand draws from [0, 1); "
        sentence += "the lab uses np.random.randn (normal, mean 0)."
    elif abs(spread - 1) < 0.1:
        key, sentence = "unscaled", f"The weights are not scaled: multiply by np.sqrt(1 / {rows})."
    elif not 0.8 < spread / want < 1.25:
        key, sentence = "wrong_scale", f"The spread should be sqrt(1 / rows), rows = {rows}."
    else:
        return
    raise Failed(Finding("initialize_weights", False, sentence, key, shown))


def check_predict(ctx: Context) -> None:
    """Each row's class, as (n, 1) like the lab's test labels ((n,) is accepted too)."""
    args = _forward_case()
    expected = ref.predict(*args)
    got = call(ctx, "predict", args, show(args))
    if isinstance(got, np.ndarray) and got.shape == expected.shape[:1]:
        got = got.reshape(-1, 1)
    compare(ctx, "predict", args, "X (2, 3) and the weights", expected, got)


def their_loss_of(ctx: Context, w1: np.ndarray, w2: np.ndarray) -> float:
    """The student's loss(Y, forward(X, w1, w2)[0]) as a float (Failed if it is not one)."""
    result = call(ctx, "forward", (data.X, w1, w2), show(_forward_case()))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Failed(Finding("gradient check", False, "Not run: fix forward first.", "blocked"))
    value = call(ctx, "loss", (data.Y, result[0]), "Y, y_hat")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Failed(
            Finding("gradient check", False, "Not run: fix loss first.", "blocked")
        ) from None


def _numeric_gradient(ctx: Context, weights: list[np.ndarray], which: int) -> np.ndarray:
    """Central differences of the student's loss for every entry of weights[which]."""
    gradient = np.zeros_like(weights[which])
    for index in np.ndindex(gradient.shape):
        moved = [w.copy() for w in weights]
        moved[which][index] += EPSILON
        up = their_loss_of(ctx, *moved)
        moved[which][index] -= 2 * EPSILON
        gradient[index] = (up - their_loss_of(ctx, *moved)) / (2 * EPSILON)
    return gradient


def check_gradients(ctx: Context) -> None:
    """The student's back against finite differences of their own loss(forward(...))."""
    y_hat, h = call(ctx, "forward", _forward_case(), "")[:2]
    got = call(ctx, "back", (data.X, data.Y, y_hat, data.W2, h), "")
    weights = [data.W1.copy(), data.W2.copy()]
    for which, name in enumerate(("w1", "w2")):
        numeric = _numeric_gradient(ctx, weights, which)
        analytic = np.asarray(got[which], dtype=np.float64)
        if analytic.shape != numeric.shape:
            sentence = (
                f"Not run: back's {name}_gradient is {analytic.shape}, {name} is {numeric.shape}."
            )
            raise Failed(Finding("gradient check", False, sentence, "blocked"))
        relative = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-7)
        if relative.max() > GRADIENT_TOLERANCE:
            _gradient_failed(name, analytic, numeric, relative)


def _gradient_failed(name, analytic, numeric, relative) -> None:
    at = np.unravel_index(int(np.argmax(relative)), relative.shape)
    sentence = (
        f"Your back and the finite differences of your loss(forward(...)) disagree: at "
        f"{name}[{at[0]}, {at[1]}] back gives {analytic[at]:.6g}, the finite difference "
        f"{numeric[at]:.6g} (relative difference {relative[at]:.2g}; a correct back agrees to "
        f"{GRADIENT_TOLERANCE:g}). If back passed its own check, look at loss and forward."
    )
    shown = ((f"back's {name}_gradient", show(analytic)), ("finite differences", show(numeric)))
    raise Failed(Finding("gradient check", False, sentence, "gradient_mismatch", shown))


def check_train(ctx: Context) -> None:
    """3 steps of plain gradient descent from the student's own initial weights."""
    args = (data.X_TRAIN, data.Y_TRAIN, data.X_TEST, data.Y_TEST, *data.TRAIN_ARGS)
    np.random.seed(data.SEED)
    got = call(
        ctx,
        "train",
        args,
        "X_train (6, 3), Y_train (6, 3), X_test (4, 3), Y_test (4, 1), 4, 3, 0.5",
    )
    np.random.seed(data.SEED)  # the same draw train's own initialize_weights made
    start = call(ctx, "initialize_weights", (3, data.TRAIN_ARGS[0], 3), "(3, 4, 3)")
    expected = descend(*start, data.TRAIN_ARGS[1], data.TRAIN_ARGS[2])
    if same_pair(got, expected):
        return
    for steps, sign, key, sentence in TRAIN_MISTAKES:
        if same_pair(got, descend(*start, steps, sign * data.TRAIN_ARGS[2])):
            raise Failed(Finding("train", False, sentence, key, (("got", show(got)),)))
    compare(ctx, "train", args, "6 rows, 4 hidden units, 3 iterations, lr 0.5", expected, got)


TRAIN_MISTAKES = (
    (
        0,
        1,
        "no_update",
        "The weights never change: assign each step back, w1 = w1 - w1_gradient * lr.",
    ),
    (
        3,
        -1,
        "ascent",
        "It adds the gradient: gradient descent subtracts it, w1 - w1_gradient * lr.",
    ),
    (2, 1, "iterations", "It takes one step fewer than `iterations`: loop range(iterations)."),
    (4, 1, "iterations", "It takes one step more than `iterations`: loop range(iterations)."),
)


def descend(w1, w2, steps: int, lr: float) -> tuple[np.ndarray, np.ndarray]:
    """The reference's gradient descent from (w1, w2) on the train case."""
    w1, w2 = np.asarray(w1, dtype=np.float64), np.asarray(w2, dtype=np.float64)
    with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
        for _ in range(steps):
            w1, w2 = ref.step(data.X_TRAIN, data.Y_TRAIN, w1, w2, lr)
    return (w1, w2)


def same_pair(got, expected) -> bool:
    """True if got is the pair expected (a list of two arrays counts)."""
    return same(expected, tuple(got) if isinstance(got, list) else got)


CHECKS = (  # (name, the functions it calls when written as the lab does, the check)
    ("prepend_bias", (), lambda c: check_simple(c, "prepend_bias", [((data.X,), "X (2, 3)")])),
    ("sigmoid", (), lambda c: check_simple(c, "sigmoid", [((data.Z,), "z (2, 3)")])),
    (
        "softmax",
        (),
        lambda c: check_simple(
            c,
            "softmax",
            [
                ((data.LOGITS,), "a (2, 3) batch of logits"),
                ((data.LARGE,), "a logit of 1000"),
                ((data.SAMPLE,), "a single sample, 1-D (3,)"),
            ],
        ),
    ),
    (
        "sigmoid_gradient",
        (),
        lambda c: check_simple(c, "sigmoid_gradient", [((data.S,), "s = sigmoid(z), (2, 3)")]),
    ),
    (
        "loss",
        (),
        lambda c: check_simple(c, "loss", [((data.Y, data.Y_HAT), "Y (2, 3) and y_hat (2, 3)")]),
    ),
    ("initialize_weights", (), check_initialize_weights),
    (
        "forward",
        ("prepend_bias", "sigmoid", "softmax"),
        lambda c: check_simple(c, "forward", [(_forward_case(), "X (2, 3), w1 (4, 4), w2 (5, 3)")]),
    ),
    (
        "back",
        ("prepend_bias", "sigmoid_gradient"),
        lambda c: check_simple(
            c, "back", [(_back_case(), "X (2, 3), Y (2, 3), y_hat (2, 3), w2 (5, 3), h (2, 4)")]
        ),
    ),
    ("gradient check", ("forward", "loss", "back"), check_gradients),
    ("predict", ("forward",), check_predict),
    ("train", ("initialize_weights", "forward", "back"), check_train),
)
