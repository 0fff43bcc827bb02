"""Run every lesson (or those named) headless, one run at a time, and print its conclusion.

    MNIST_DIR=... python scripts/measure_lessons.py --data full [slug ...]

The numbers in the README's lesson list come from this script (--data full and --data sample).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcore.cli import get_data
from mlcore.lessons import BY_SLUG, LESSONS, conclude, range_conclusion
from mlcore.range_test import lr_range_test
from mlcore.scaling import fit_scaling
from mlcore.train import new_state, train


def measure(config, data):
    """The reports of one run of config on data (a Dataset)."""
    scaling = fit_scaling(config.scale, data.X_train)
    X, Xt = (scaling.apply(a, config.dtype) for a in (data.X_train, data.X_test))
    state = new_state(config)
    for _ in train(config, state, X, data.y_train, Xt, data.y_test):
        pass
    return state.history, (X, data.y_train)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="full", help="'sample', 'full' or a directory")
    p.add_argument("slugs", nargs="*", help=f"lessons (default: all): {', '.join(BY_SLUG)}")
    args = p.parse_args(argv)
    if unknown := set(args.slugs) - set(BY_SLUG):
        p.error(f"no lesson {', '.join(sorted(unknown))}; lessons: {', '.join(BY_SLUG)}")
    data = get_data(args.data)
    print(f"data: {data.description}")
    for lesson in [BY_SLUG[s] for s in args.slugs] or LESSONS:
        tick = time.perf_counter()
        histories, train_data = {}, None
        for label, config in lesson.runs:
            histories[label], train_data = measure(config, data)
        seconds = time.perf_counter() - tick
        print(f"\n## {lesson.title} ({seconds:.0f} s)\n{conclude(lesson, histories)}")
        if lesson.range_test:
            rt = lr_range_test(lesson.runs[0][1], *train_data)  # the runs share their scaling
            print(range_conclusion(lesson, rt.suggestion, histories))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
