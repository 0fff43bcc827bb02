"""The teacher's Class page with a class of simulated students, looked at in Chromium.

    python bench/class_view.py [--students 30] [--out artifacts/class-view]

Trains, on the bundled sample (fast), what each student would hand in: the scaling lesson's
three runs (seed = the student's number) and one run of their own (hidden units, iterations,
batch size and learning rate varied; every fifth a full batch, the column that once mixed
'full' and numbers). Hands each in under a nickname (one with markup, two sharing a name),
then starts the app on 127.0.0.1 on that store, opens Class with the key in headless
Chromium and saves the page at 1440x900 and at 390x844 (touch). Reported: the training and
page times, the server log's problems (tracebacks, ArrowInvalid). Every wait is bounded;
the server it starts is ended at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
KEY = "bench teacher key"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
LIMIT = 900  # seconds the training may take


def student_runs(i: int, data):
    """Student i's runs: the scaling lesson's (as 'Run this lesson' submits them), then one
    of their own; each as Scheduler.submit_all's request."""
    from dataclasses import replace

    from mlcore.lessons import BY_SLUG
    from mlcore.spec import RunSpec
    from mlcore.train import TrainConfig

    lesson = BY_SLUG["scaling"]
    n = 6_000  # the sample's training images
    requests = [
        (
            RunSpec(replace(c, seed=i), "sample"),
            data,
            "sample",
            n,
            None,
            "train",
            f"scaling: {label}",
        )
        for label, c in lesson.runs
    ]
    own = TrainConfig(hidden_size=(20, 50, 100, 200)[i % 4], iterations=1 + i % 3,
                      batch_size=None if i % 5 == 0 else 64, learning_rate=(0.05, 0.1, 0.5)[i % 3],
                      scale="unit", seed=i)  # fmt: skip
    if own.batch_size is None:
        own = replace(own, learning_rate=1.0, iterations=10)
    requests.append((RunSpec(own, "sample"), data, "sample", n, None, "train", None))
    return requests


def workspace(i: int) -> str:
    """Student i's workspace id, hex as the app's are (a SHA-256): tags differ."""
    return hashlib.sha256(f"student-{i}".encode()).hexdigest()


def nickname(i: int) -> str:
    names = ("ada", "bob", "<b>Zoë</b>", "dee", "eve", "fay", "gus", "hal", "ivy", "jo")
    return f"{names[i % 10]}{'' if i < 10 else i // 10}" if i != 11 else "ada"  # 11: a second ada


def simulate(k: int, url: str) -> dict:
    from mlcore.data import SAMPLE_DIR
    from runs.protocol import DataRef
    from runs.scheduler import Limits, Scheduler
    from runs.writer import StoreWriter

    data = DataRef("sample", str(SAMPLE_DIR))
    scheduler = Scheduler(Limits.from_env(), prewarm=data, store=StoreWriter(url))
    start = time.monotonic()
    try:
        lessons, owns = {}, {}
        for i in range(k):
            runs = scheduler.submit_all(workspace(i), student_runs(i, data))
            lessons[i], owns[i] = [r.id for r in runs[:-1]], runs[-1].id
        every = [r for ids in lessons.values() for r in ids] + list(owns.values())
        while any(scheduler.get(r).active for r in every):
            if time.monotonic() - start > LIMIT:
                raise SystemExit(f"the class did not finish training in {LIMIT} s")
            time.sleep(0.5)
        trained = time.monotonic() - start
        for i in range(k):
            scheduler.hand_in(workspace(i), lessons[i], nickname(i))
            scheduler.hand_in(workspace(i), [owns[i]], nickname(i))
        statuses = [scheduler.get(r).status for r in every]
    finally:
        scheduler.close()
    return {"runs": len(every), "training_s": round(trained, 1),
            "finished": statuses.count("finished")}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(log.read_text(errors="replace")) from None
            time.sleep(0.2)


def look(url: str, out: Path, env: dict) -> dict:
    """Start the app on the store at url, open Class with the key, save both sizes."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = out / "streamlit.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none"],
        cwd=ROOT, env={**os.environ, **env, "MNIST_LAB_STORE": url, "MNIST_LAB_TEACHER_KEY": KEY},
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    seen = {}
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server, log)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for name, size, touch in (("desktop", (1440, 900), False), ("phone", (390, 844), True)):
                seen[f"{name}_page_s"] = save_page(browser, port, out, name, size, touch)
            browser.close()
    finally:
        server.terminate()
        server.wait(20)
    text = log.read_text()
    seen["log_tracebacks"] = text.count("Traceback")
    seen["log_arrow_invalid"] = text.count("ArrowInvalid")
    seen["log_start_lines"] = [s for s in text.splitlines() if s.startswith(("store:", "data:"))]
    return seen


def save_page(browser, port: int, out: Path, name: str, size: tuple, touch: bool) -> float:
    """Open Class with the key at size; save its first screen and all of it; the seconds
    from opening to the page drawn."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  is_mobile=touch, has_touch=touch)  # fmt: skip
    page = context.new_page()
    t0 = time.monotonic()
    page.goto(f"http://127.0.0.1:{port}/class_view")
    page.get_by_label("Teacher's key", exact=True).fill(KEY)
    page.get_by_role("button", name="Open the class view").click()
    page.get_by_text("Lessons across the class").wait_for(timeout=120_000)
    page.get_by_text("Updated").first.wait_for(timeout=30_000)
    took = round(time.monotonic() - t0, 1)
    page.wait_for_timeout(3_000)  # the charts drawn
    page.screenshot(path=str(out / f"class-{name}-first-screen.png"))
    tall = page.get_by_test_id("stMain").evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": size[0], "height": max(size[1], tall)})
    page.wait_for_timeout(2_000)  # redrawn at the new height
    page.screenshot(path=str(out / f"class-{name}.png"), full_page=True)
    context.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "class-view")
    parser.add_argument("--store", help="a store a previous run simulated: only look at it")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="mnist-lab-class-"))
    url = args.store or f"sqlite:///{folder / 'runs.sqlite'}"
    result = {"command": " ".join(sys.argv), "students": args.students, "store": url}
    if not args.store:
        result.update(simulate(args.students, url))
    print(json.dumps(result), flush=True)
    result.update(look(url, args.out, {"MNIST_LAB_WORKERS": "1"}))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
