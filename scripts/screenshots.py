"""Full-page screenshots of every sidebar page, desktop and phone, light and dark theme.

    .venv/bin/python scripts/screenshots.py   # artifacts/screenshots/<page>-<width>-<theme>.png

Starts the app on 127.0.0.1 (a free port, one server per theme: --theme.base), drives Debian's
Chromium with Playwright, and stops everything within --timeout seconds. Pages are reached by URL
path (/train), so the phone's collapsed sidebar does not matter.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
SIZES = {1440: 900, 390: 844}  # desktop, phone (width: height)
THEMES = ("light", "dark")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app(theme: str, log: Path):
    """`streamlit run app.py` in `theme` on a free loopback port; yields its URL, then stops it."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
        f"--server.port={port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false", f"--theme.base={theme}",
    ]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while not healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log}")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def settle(page) -> None:
    """Wait for the script run to end and the charts to draw."""
    page.wait_for_timeout(500)
    page.locator('.stApp[data-test-script-state="notRunning"]').wait_for(timeout=30_000)
    page.wait_for_timeout(1000)


def page_paths(browser, url: str) -> dict[str, str]:
    """{name: URL path} of the sidebar's pages, read at desktop width."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(url)
    settle(page)
    hrefs = (
        page.get_by_test_id("stSidebarNav")
        .get_by_role("link")
        .evaluate_all("links => links.map(a => a.href)")
    )
    page.close()
    paths = [urlparse(h).path for h in hrefs]
    return {(p.strip("/") or "home"): p for p in paths}


def shoot(browser, url: str, theme: str, out: Path) -> list[Path]:
    shots = []
    paths = page_paths(browser, url)
    for width, height in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        for name, path in paths.items():
            page.goto(url + path)
            settle(page)
            shots.append(out / f"{name}-{width}-{theme}.png")
            # Streamlit scrolls inside its main element, not the document: grow the window to
            # the content's height, so that "full page" is the whole page.
            tall = height
            for _ in range(4):  # charts re-lay out at a new size: until the height holds
                was, tall = tall, page.get_by_test_id("stMain").evaluate("e => e.scrollHeight")
                if tall == was:
                    break
                page.set_viewport_size({"width": width, "height": max(height, tall)})
                page.wait_for_timeout(800)
            page.screenshot(path=str(shots[-1]), full_page=True)
            page.set_viewport_size({"width": width, "height": height})
        context.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "screenshots")
    parser.add_argument("--timeout", type=float, default=300, help="seconds for everything")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + args.timeout
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for theme in THEMES:
                if time.monotonic() > deadline:
                    sys.exit(f"stopped: --timeout {args.timeout:g} s reached before {theme}")
                with app(theme, args.out / f"streamlit-{theme}.log") as url:
                    for shot in shoot(browser, url, theme, args.out):
                        print(shot.relative_to(ROOT))
        finally:
            browser.close()


if __name__ == "__main__":
    main()
