"""µs to build a live training chart and turn it into what Streamlit sends, old vs new builders.

    PYTHONPATH=. .venv/bin/python bench/figures.py [OLD_CHARTS_PY]

OLD_CHARTS_PY is a copy of the graph_objects-validated builders (e.g. `git show
0957e8d:ui/charts.py > /tmp/charts_old.py`); without it only the current builders are timed.
What Streamlit does with a go.Figure is included: .to_dict() then plotly.io.to_json(validate=False).
Rounds alternate old/new (A/B interleaved); medians per figure.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time

import plotly.io

from mlcore.train import Progress
from ui import charts


def history(n: int = 200) -> list[Progress]:
    """A 200-point history like a mini-batch run's, test accuracy every 10th point."""
    return [
        Progress(
            iteration=i / 10,
            batch=i % 10,
            train_loss=1 / (i + 1),
            train_accuracy=0.9,
            test_accuracy=0.95 if i % 10 == 0 else None,
            elapsed=i * 0.1,
            learning_rate=0.05,
        )
        for i in range(n)
    ]


def streamlit_cost(builder, series) -> float:
    """Seconds to build one figure and serialise it as st.plotly_chart does."""
    start = time.perf_counter()
    figure = builder(series)
    plotly.io.to_json(figure.to_dict(), validate=False)
    return time.perf_counter() - start


def main() -> None:
    modules = {"new": charts}
    if len(sys.argv) > 1:
        spec = importlib.util.spec_from_file_location("charts_old", sys.argv[1])
        modules["old"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(modules["old"])
    series = [("run 1", history())]
    times = {(m, f): [] for m in modules for f in ("loss_figure", "accuracy_figure")}
    for _ in range(60):  # bounded: 60 rounds x 2 figures x 2 versions
        for m, module in modules.items():
            for f in ("loss_figure", "accuracy_figure"):
                times[m, f].append(streamlit_cost(getattr(module, f), series))
    for (m, f), ts in times.items():
        print(f"{m:4s} {f:16s} {1e6 * statistics.median(ts):8.0f} µs")
    if "old" in modules:
        for f in ("loss_figure", "accuracy_figure"):
            ratio = statistics.median(times["old", f]) / statistics.median(times["new", f])
            print(f"old/new {f}: {ratio:.1f}x")


if __name__ == "__main__":
    main()
