"""Choices offered by the Train page's widgets (values the core's TrainConfig accepts)."""

from mlcore.quote import shorten

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
# What each setting changes in the math, and what to expect when it goes up or down.
HELP = {
    "hidden_size": "H, the sigmoid units between pixels and digits: w1 is 784×H, w2 is H×10. "
    "More units can tell more shapes apart (better accuracy) but each step costs ∝ H; past "
    "a few hundred the gain is small.",
    "learning_rate": "η in w ← w − η·∂L/∂w: how far each gradient step moves the weights. Too "
    "small crawls; too large overshoots and the loss blows up (diverges).",
    "iterations": "Full batch: the number of gradient steps, each over every training image "
    "(the lab's `for i in range(iterations)`). Mini-batch: the number of passes (epochs) over "
    "the shuffled data, each of n / batch size steps.",
    "batch_size": "Images per gradient step. Full batch (the lab): the exact gradient, one step "
    "per pass. Small batches: a noisy gradient but many steps per pass — usually far faster "
    "to a good accuracy.",
    "seed": "Seeds the one random generator that draws the initial weights and shuffles the "
    "batches: the same seed and settings give the same run, to the last digit.",
    "scale": "What the pixels are divided by before the network sees them. Raw 0–255 (the lab) "
    "makes z = x·w1 huge, so the sigmoids saturate (σ′ ≈ 0) and learning stalls; [0, 1] or "
    "standardized (mean 0, std 1) keeps z in the sigmoid's useful range.",
    "init": "The starting weights. The lab: w ~ N(0, 1)·√(1/rows), so every unit starts "
    "different. All zeros: every hidden unit computes the same thing and gets the same "
    "update — they stay identical (symmetry) and the layer acts like one unit.",
    "init_scale": "Multiplies the initial weights. Larger starts z far from 0 (saturated "
    "sigmoids, large logits); 0 is the same as all-zero weights.",
    "momentum": "μ in v ← μ·v + ∂L/∂w; w ← w − η·v: each step keeps a share μ of the previous "
    "one. 0 is the lab's plain gradient descent; 0.9 speeds up progress along shallow "
    "directions and damps zig-zags.",
    "schedule": "Constant: η throughout (the lab). Cosine: η decays smoothly to 0 by the end, "
    "so the last steps settle instead of bouncing.",
    "augment": "Show the network randomly distorted copies of each batch, new ones every time: "
    "affine turns (±15°), scales, shears and shifts the digit; elastic also bends its strokes "
    "(Simard 2003) and makes them thicker or thinner. Slower to fit (training accuracy stays "
    "lower, on the distorted copies) and each step costs a little more, but the network reads "
    "more styles: better test accuracy after enough passes, and on digits you draw.",
}
AUGMENT_LABELS = {
    "none": "none: the images as they are",
    "affine": "affine: turn, scale, shear, shift",
    "elastic": "elastic: affine + bent, thicker or thinner strokes",
}
SCALE_LABELS = {
    "raw": "raw 0–255 (lab)",
    "unit": "[0, 1]",
    "standard": "standardized",
}

# Ranges of the other widgets: (lowest, highest, step); seed: a number input.
RANGES = {"iterations": (1, 200, 1), "init_scale": (0.0, 5.0, 0.1), "seed": (0, 2**31 - 1, 1)}
CHOICES = {
    "hidden_size": HIDDEN_SIZES,
    "learning_rate": LEARNING_RATES,
    "batch_size": BATCH_SIZES,
    "momentum": MOMENTA,
}


def widget_problem(name: str, value) -> str | None:
    """Why the Train page's widget for name cannot show value (a valid setting), or None."""
    typed = shorten(f"{value:g}" if isinstance(value, float) else str(value), 40)  # 10**4000
    if name in CHOICES and value not in CHOICES[name]:
        shown = ", ".join("full" if v is None else f"{v:g}" for v in CHOICES[name])
        return f"{name}={typed} is not one of the page's choices ({shown})"
    if name in RANGES:
        low, high, step = RANGES[name]
        if not low <= value <= high:  # first: (1e308 - low) / step would be inf (nan: False)
            return f"{name}={typed} is outside the page's range {low:g} to {high:g} (step {step:g})"
        if abs((value - low) / step - round((value - low) / step)) >= 1e-9:
            return f"{name}={typed} is not on the page's steps of {step:g} from {low:g}"
    return None
