"""A class on one server: K browser sessions press Start together (Playwright + Chromium).

    MNIST_DIR=../shared/datasets/mnist python bench/load.py [--k 1 4 8] [--out FILE]
    [--browser-nice 19] [--server-only]

For each K, on a fresh `streamlit run app.py` bound to 127.0.0.1: every session opens the
Train page and presses Start (default settings, full MNIST) within a few milliseconds;
another tab meanwhile switches the Softmax page's precision back and forth and times each
re-render. Measured: seconds from Start to a session's first sign of life (its place in the
queue or its first point) and to its first point and its end; the re-render times; CPU of the
server, its workers and the browsers; memory of server and workers. Then the abandonment
check: K sessions start long runs, half the tabs close, and the server log says when their
runs were stopped. Last, all tabs close and the server's memory is compared with its idle
size. Linux only (/proc). Every wait is bounded; the server is ended at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
LIMIT = 400  # seconds any one phase may take


def renice_browsers(nice: int) -> None:
    """Set every Chromium process, and its scheduling group, to that niceness.

    Linux's autogroups share the CPU between sessions first: Chromium runs in its own session,
    so its processes' niceness alone changed nothing (measured: the browsers kept ~1 of the 2
    cores at nice 15) until the group's niceness (/proc/PID/autogroup) was set too. Repeated
    while the bench runs, since Chromium sets its renderers' priorities itself.
    """
    for pid in browser_pids():
        with contextlib.suppress(OSError):
            if os.getpriority(os.PRIO_PROCESS, pid) != nice:
                os.setpriority(os.PRIO_PROCESS, pid, nice)
            group = Path(f"/proc/{pid}/autogroup")
            if group.exists() and not group.read_text().rstrip().endswith(f"nice {nice}"):
                group.write_text(str(nice))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` on 127.0.0.1; its log in a file."""

    def __init__(self, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = open(log, "wb")
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true"]
        cmd += [f"--server.port={self.port}", "--server.address=127.0.0.1"]
        cmd += ["--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]
        cmd += ["--server.disconnectedSessionTTL=5"]  # as MNIST_LAB_SESSION_KEEP below
        # Closed sessions are forgotten 5 s after their runs stop (60 s by default; Streamlit's
        # own session state likewise), so the memory check at the end does not wait a minute.
        env = {**os.environ, "MNIST_LAB_SESSION_KEEP": "5", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(log.read_text(errors="replace")) from None
                time.sleep(0.2)

    def children(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def rss_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def cpu_seconds(pids) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def browser_pids() -> list[int]:
    out = subprocess.run(["pgrep", "-f", "chromium"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


# Each page times its own milestones (Date.now(), the same clock as time.time()) as the DOM
# changes: the bench reads them every half second instead of querying every page ten times a
# second, which took a good part of the browsers' CPU it was measuring.
MARKS = """
window.__marks = {};
document.addEventListener('click', (e) => {  // the moment Start reaches the page
  const b = e.target.closest && e.target.closest('button');
  const m = window.__marks;
  if (b && b.textContent.trim() === 'Start' && !m.start) m.start = Date.now();
}, true);
new MutationObserver((_, observer) => {
  const m = window.__marks, now = Date.now();
  if (m.finished) return;
  const g = document.querySelector('.js-plotly-plot');
  const light = document.querySelector("[data-live-chart]");
  const plotted = (g && g.data && g.data[0] && g.data[0].x && g.data[0].x.length > 0)
    || (light && Number(light.dataset.points) > 0);
  const text = document.body ? document.body.textContent : '';
  if (plotted && !m.first) m.first = now;
  if (!m.alive && (plotted || text.includes('in the queue'))) m.alive = now;
  if (/finished \\d+ iterations\\./.test(text)) {
    m.finished = now;
    observer.disconnect();  // nothing more to time: no more work for the browser
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def marks(page) -> dict:
    """Milestones the page has seen so far: alive, first, finished (seconds since epoch)."""
    return {k: v / 1000 for k, v in page.evaluate("() => window.__marks || {}").items()}


def open_train(context, url: str):
    page = context.new_page()
    page.goto(f"{url}/train")
    page.get_by_text("Train the network").wait_for(timeout=60_000)
    page.get_by_role("button", name="Start").wait_for(timeout=30_000)
    return page


def rerender_once(page, dtype: str) -> float:
    start = time.monotonic()
    page.get_by_text(dtype, exact=True).click()
    page.get_by_text(f"fits in {dtype}").wait_for(timeout=60_000)
    return time.monotonic() - start


def warm_up(browser, server: Server) -> None:
    """One session trains a tiny run and closes: the server has loaded every module it uses.

    The idle size is measured after this, so "memory back to idle" compares like with like.
    """
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/train?iterations=1&hidden_size=16")
    page.get_by_role("button", name="Start").click()
    page.get_by_text("finished 1 iterations.").wait_for(timeout=LIMIT * 1000)
    context.close()
    time.sleep(10)


def phase_class(browser, server: Server, k: int, iterations: int | None, nice: int = 0) -> dict:
    """k sessions press Start together; returns the timings and resource use."""
    contexts = [browser.new_context(viewport={"width": 1440, "height": 900}) for _ in range(k)]
    query = "" if iterations is None else f"?iterations={iterations}"
    pages = []
    for c in contexts:
        c.add_init_script(MARKS)
        p = c.new_page()
        p.goto(f"{server.url}/train{query}")
        p.get_by_text("Train the network").wait_for(timeout=60_000)
        pages.append(p)
    observer = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    observer.goto(f"{server.url}/softmax")
    observer.get_by_text("fits in float64").wait_for(timeout=60_000)
    pids = [server.proc.pid, *server.children()]
    cpu0 = {name: cpu_seconds(p) for name, p in (("server", pids[:1]), ("workers", pids[1:]))}
    cpu0["browsers"], wall0 = cpu_seconds(browser_pids()), time.monotonic()
    if nice:
        renice_browsers(nice)
    buttons = [p.get_by_role("button", name="Start").element_handle() for p in pages]
    for p in pages:
        p.evaluate("() => { window.__marks = {}; }")  # from this Start on
    starts = []
    for button in buttons:  # a click event each, at once (a mouse click waits ~0.5 s)
        button.dispatch_event("click")
        starts.append(time.time())  # replaced by the page's own time of the click, below
    seen = [{} for _ in pages]
    renders, dtype, next_render = [], "float32", time.monotonic() + 1
    peak = {"server": 0.0, "workers": 0.0}
    next_look = 0.0
    while any("finished" not in m for m in seen) and time.time() - starts[0] < LIMIT:
        if time.monotonic() > next_look:
            seen = [marks(p) for p in pages]
            if nice:
                renice_browsers(nice)
            next_look = time.monotonic() + 0.5
        if time.monotonic() > next_render:
            renders.append(rerender_once(observer, dtype))
            dtype = "float64" if dtype == "float32" else "float32"
            next_render = time.monotonic() + 1
        peak["server"] = max(peak["server"], rss_mb(server.proc.pid))
        peak["workers"] = max(peak["workers"], sum(rss_mb(c) for c in server.children()))
        time.sleep(0.1)
    wall = time.monotonic() - wall0
    starts = [m.get("start", t) for m, t in zip(seen, starts, strict=True)]
    alive, first, end = (
        [round(m[key] - t, 2) if key in m else None for m, t in zip(seen, starts, strict=True)]
        for key in ("alive", "first", "finished")
    )
    cpu = {
        "server": cpu_seconds(pids[:1]) - cpu0["server"],
        "workers": cpu_seconds(server.children()) - cpu0["workers"],
        "browsers": cpu_seconds(browser_pids()) - cpu0["browsers"],
    }
    if nice:
        renice_browsers(0)  # the abandonment phase clicks with a mouse: at full priority
    observer.context.close()
    for c in contexts:
        c.close()
    return {
        "k": k,
        "alive_s": alive,
        "first_point_s": first,
        "end_s": end,
        "rerender_median_s": statistics.median(renders) if renders else None,
        "rerender_max_s": max(renders) if renders else None,
        "rerenders": len(renders),
        "rerender_s": [round(r, 2) for r in renders],  # in order: when the slow ones came
        "wall_s": wall,
        "cpu_share": {n: round(c / wall / os.cpu_count(), 3) for n, c in cpu.items()},
        "peak_rss_mb": peak,
    }


def phase_abandon(browser, server: Server, k: int) -> dict:
    """k sessions start long runs; half the tabs close; when were their runs stopped?"""
    contexts = [browser.new_context() for _ in range(k)]
    pages = [open_train(c, server.url + "") for c in contexts]
    for p in pages:
        p.goto(f"{server.url}/train?iterations=200")
        p.get_by_role("button", name="Start").click()
    time.sleep(3)
    closing = max(1, k // 2)
    before = server.log_path.read_text(errors="replace").count("closed: stopped")
    closed_at = time.monotonic()
    for c in contexts[:closing]:
        c.close()
    stopped_after = None
    while time.monotonic() - closed_at < 30:
        log = server.log_path.read_text(errors="replace")
        if log.count("closed: stopped") - before >= closing:
            stopped_after = time.monotonic() - closed_at
            break
        time.sleep(0.1)
    time.sleep(2)
    cpu0, t0 = cpu_seconds(server.children()), time.monotonic()
    time.sleep(3)
    workers_cpu = (cpu_seconds(server.children()) - cpu0) / (time.monotonic() - t0)
    for c in contexts[closing:]:
        c.close()
    return {
        "k": k,
        "closed": closing,
        "all_stopped_after_s": stopped_after,
        "workers_cpu_cores_after": round(workers_cpu, 2),
    }


def cli_seconds() -> tuple[float, float]:
    """The default run from the command line: (seconds from the command to its last line,
    seconds of training it reports). The first compares with a browser's Start-to-finished."""
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "mlcore.train", "--data", "full"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=LIMIT,
    ).stdout
    return time.monotonic() - start, float(re.findall(r"([\d.]+) s\n", out)[-1])


def server_only(k: int, store_url: str) -> dict:
    """k default runs submitted together to the scheduler in this process, no web page at all:
    what the training machinery delivers when the browsers are on other machines. store_url:
    where runs are saved ("memory": nowhere), as the app would."""
    sys.path.insert(0, str(ROOT))
    from mlcore.spec import RunSpec
    from mlcore.train import TrainConfig
    from runs.protocol import DataRef
    from runs.scheduler import Limits, Scheduler
    from runs.writer import StoreWriter

    data = DataRef("full", os.environ["MNIST_DIR"])
    store = None if store_url == "memory" else StoreWriter(store_url)
    scheduler = Scheduler(Limits.from_env(), prewarm=data, store=store)
    try:
        time.sleep(5)  # the workers have started and loaded full MNIST
        start = time.monotonic()
        runs = [
            scheduler.submit(f"s{i}#0", RunSpec(TrainConfig(), "full"), data, "full", 60_000)
            for i in range(k)
        ]
        first, end = [None] * k, [None] * k
        while None in end and time.monotonic() - start < LIMIT:
            now = round(time.monotonic() - start, 2)
            for i, run in enumerate(scheduler.get(r.id) for r in runs):
                if first[i] is None and run.history:
                    first[i] = now
                if end[i] is None and not run.active:
                    end[i] = now
            time.sleep(0.01)
        return {"k": k, "store": store_url, "first_report_s": first, "end_s": end}
    finally:
        scheduler.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k", type=int, nargs="+", default=[1, 4, 8])
    p.add_argument("--out", type=Path, help="also write the results as JSON here")
    p.add_argument("--no-cli", action="store_true", help="skip the CLI reference run")
    p.add_argument(
        "--browser-nice",
        type=int,
        default=0,
        help="run Chromium at this niceness (e.g. 10): the browsers then only get the CPU the "
        "server and its workers leave, as if they ran on the students' own machines",
    )
    p.add_argument(
        "--server-only",
        action="store_true",
        help="no browsers: submit the K runs straight to a scheduler in this process",
    )
    p.add_argument(
        "--store",
        default="",
        help="--server-only: the run store's URL, or 'memory' for none (default: a new SQLite "
        "file, as the app's default)",
    )
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a timeout still ends the server
    if args.server_only:
        store = args.store or f"sqlite:///{tempfile.mkdtemp(prefix='load-store-')}/runs.sqlite"
        for k in args.k:
            print(json.dumps(server_only(k, store)), flush=True)
        return 0
    from playwright.sync_api import sync_playwright

    results = {"cores": os.cpu_count(), "browser_nice": args.browser_nice}
    if not args.no_cli:
        wall, training = cli_seconds()
        results["cli_default_run_s"], results["cli_training_s"] = wall, training
        print(f"CLI default run: {wall:.1f} s ({training:.1f} s of training)", flush=True)
    logs = ROOT / "artifacts"
    logs.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for k in args.k:
            server = Server(logs / f"load-k{k}.log")
            try:
                warm_up(browser, server)
                idle = rss_mb(server.proc.pid)
                r = phase_class(browser, server, k, None, args.browser_nice)
                r["abandon"] = phase_abandon(browser, server, k)
                time.sleep(15)  # every tab is closed: runs stop (3 s), sessions are forgotten (5 s)
                r["server_rss_idle_mb"] = round(idle, 1)
                r["server_rss_after_close_mb"] = round(rss_mb(server.proc.pid), 1)
                results[f"k{k}"] = r
                print(json.dumps(r), flush=True)
            finally:
                server.close()
        browser.close()
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
