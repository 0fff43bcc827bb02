"""Browser cost of a polling page's two live charts: ui/light_chart vs Plotly vs st.line_chart.

    PYTHONPATH=. .venv/bin/python bench/live_charts.py [ROUNDS] [SECONDS]

Starts this file as a Streamlit app (127.0.0.1) whose fragment redraws two growing charts
(the Train page's loss and accuracy figures, two runs) every second, opens it in headless
Chromium once per kind and round (kinds alternate), and reports the renderer's main-thread
task time per second of wall time (CDP Performance.getMetrics TaskDuration) over SECONDS.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

KINDS = ("light", "plotly", "line_chart")
PORT = 8765


def app() -> None:
    """The page under test (run by Streamlit with LIVE_CHARTS_APP=1)."""
    import pandas as pd
    import streamlit as st

    from mlcore.train import Progress
    from ui import charts, light_chart

    kind = st.query_params.get("kind", "light")

    def history(n: int) -> list[Progress]:
        return [
            Progress(i + 1, 0, 2.3 / (1 + 0.05 * i), 0.9, 0.95, i * 0.1, 0.05, steps=i)
            for i in range(n)
        ]

    @st.fragment(run_every=1.0)
    def live() -> None:
        n = st.session_state["n"] = st.session_state.get("n", 20) + 2
        series = [("run a", history(n)), ("run b", history(max(1, n - 10)))]
        figures = [charts.loss_figure(series), charts.accuracy_figure(series)]
        for i, (column, figure) in enumerate(zip(st.columns(2), figures, strict=True)):
            if kind == "light":
                column.markdown(light_chart.figure_html(figure), unsafe_allow_html=True)
            elif kind == "plotly":
                column.plotly_chart(figure, key=f"chart{i}")
            else:
                lines = {t["name"]: pd.Series(t["y"], t["x"]) for t in figure.to_dict()["data"]}
                column.line_chart(pd.DataFrame(lines), height=300)
        st.caption(f"{kind} {n}")

    live()


def measure(rounds: int, seconds: float) -> dict[str, list[float]]:
    """Renderer main-thread busy share per kind, one value per round."""
    from playwright.sync_api import sync_playwright

    found: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        for _ in range(rounds):
            for kind in KINDS:
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(f"http://127.0.0.1:{PORT}/?kind={kind}")
                page.get_by_text(f"{kind} ").first.wait_for(timeout=30_000)
                time.sleep(4)  # past the first draws
                cdp = page.context.new_cdp_session(page)
                cdp.send("Performance.enable")
                start, t0 = _task_seconds(cdp), time.monotonic()
                time.sleep(seconds)
                found[kind].append((_task_seconds(cdp) - start) / (time.monotonic() - t0))
                page.close()
        browser.close()
    return found


def _task_seconds(cdp) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", __file__, "--server.headless=true",
         f"--server.port={PORT}", "--server.address=127.0.0.1",
         "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
         "--runner.postScriptGC=false"],
        env={**os.environ, "LIVE_CHARTS_APP": "1", "PYTHONPATH": str(Path(__file__).parent.parent)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for kind, shares in measure(rounds, seconds).items():
            rounded = [round(s, 3) for s in shares]
            print(f"{kind:10} median {statistics.median(shares):.3f} of a core  {rounded}")
    finally:
        server.terminate()
        server.wait(10)


if os.environ.get("LIVE_CHARTS_APP"):
    app()
elif __name__ == "__main__":
    main()
