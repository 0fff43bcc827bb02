"""A class on two app servers sharing PostgreSQL (with a password, as stock Debian) behind
nginx (the shipped config, checked by `nginx -t`; sticky by workspace): a student on each
hands in and the teacher's Class page, open on the other server, shows it without a click;
then a server is killed (SIGKILL) while its student trains, and the student's still-open
tab, reconnected through nginx, shows the run interrupted on the survivor within 35 s and
Continue finishes it there."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from ..postgres import new_database, postgres_server
from .conftest import ROOT, assert_clean_log, shot
from .servers import app_process, free_port

pytestmark = pytest.mark.browser
KEY = "teacher key for the test"
GENERATOR = ROOT / "deploy" / "nginx_conf.py"  # the command README "Serving a class" gives


def require_nginx() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if found is None:
        why = "nginx is not installed (apt-get install nginx-light)"
        if os.environ.get("CI"):
            pytest.fail(f"the two-server test must run in CI: {why}")
        pytest.skip(why)
    return found


@contextlib.contextmanager
def nginx_in_front(*apps: str):
    """nginx on a free loopback port in front of the app URLs, with the config the shipped
    generator writes (checked by `nginx -t` first); yields its URL."""
    binary, prefix = require_nginx(), Path(tempfile.mkdtemp(prefix="mnist-lab-nginx-"))
    port = free_port()
    servers = [a.removeprefix("http://") for a in apps]
    command = [sys.executable, str(GENERATOR), *servers, "--listen", f"127.0.0.1:{port}",
               "--standalone", str(prefix)]  # fmt: skip
    conf = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    (prefix / "nginx.conf").write_text(conf)
    checked = subprocess.run([binary, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, f"nginx -t refused the shipped config: {checked.stderr}"
    proc = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(prefix, ignore_errors=True)


def _wait_for(url: str, proc) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"nginx did not start: {proc.stderr.read().decode()}")
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            return
        time.sleep(0.2)
    pytest.fail("nginx did not answer")


def upstream_of(url: str, token: str) -> str:
    """The app server nginx sends the workspace token to (its X-Lab-Upstream header)."""
    request = urllib.request.Request(
        f"{url}/_stcore/health", headers={"Cookie": f"mnist_lab_work={token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as r:
        return r.headers["X-Lab-Upstream"]


def token_for(url: str, upstream: str) -> str:
    for i in range(200):
        token = f"{i:032x}"  # a well-formed workspace token
        if upstream_of(url, token) == upstream:
            return token
    raise AssertionError(f"no token hashed to {upstream}")


def student(browser, proxy: str, token: str, phone: bool = False):
    """A browser of a student whose workspace token nginx sends to a known server."""
    size = {"width": 390, "height": 844} if phone else {"width": 1440, "height": 900}
    context = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone)
    context.add_cookies([{"name": "mnist_lab_work", "value": token, "url": proxy}])
    return context, context.new_page()


def train_and_hand_in(page, proxy: str, nickname: str) -> None:
    page.goto(f"{proxy}/train?hidden_size=20&iterations=1")
    page.get_by_text("Train the network").wait_for(timeout=30_000)
    page.get_by_role("button", name="Start").click()
    try:
        page.get_by_text("finished 1 iteration.").wait_for(timeout=90_000)
    except Exception:  # the page as it stood: the status line says where the run got stuck
        shot(page, f"two-servers-{nickname}-not-finished")
        raise
    page.get_by_text("Hand in this run to your teacher").click()
    page.get_by_label("Nickname", exact=True).fill(nickname)
    page.get_by_role("button", name="Hand in", exact=True).click()
    page.get_by_text(f"Handed in as {nickname}").wait_for(timeout=30_000)


def open_class(browser, app: str):
    """The teacher's Class page on app, opened with the key; (context, page), left open."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{app}/class_view")
    page.get_by_label("Teacher's key", exact=True).fill(KEY)
    page.get_by_role("button", name="Open the class view").click()
    page.get_by_text("Updated").first.wait_for(timeout=60_000)
    return context, page


def metric(page, label: str) -> str:
    found = page.get_by_test_id("stMetric").filter(has_text=label)
    found.wait_for(timeout=60_000)
    return found.get_by_test_id("stMetricValue").inner_text().strip()


def class_students(browser, app: str) -> str:
    """The Students metric of the Class page on app, opened with the key."""
    context, page = open_class(browser, app)
    try:
        return metric(page, "Students")
    finally:
        shot(page, f"class-{app.rsplit(':', 1)[1]}")
        context.close()


def wait_for(condition, seconds: float, what: str) -> float:
    """Poll condition() until true; the seconds it took (fails after seconds)."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, f"not within {seconds:.0f} s: {what}"
        time.sleep(0.5)
    return time.monotonic() - start


def passes_done(page) -> float:
    """The Done metric of the Train page ("2.8 of 20 passes" -> 2.8); 0 before it shows."""
    found = page.get_by_test_id("stMetric").filter(has_text="Done")
    if not found.count():
        return 0.0
    match = re.match(r"([\d.,]+) of", found.first.get_by_test_id("stMetricValue").inner_text())
    return float(match.group(1).replace(",", "")) if match else 0.0


def can_continue(page) -> bool:
    """The run's status line says interrupted and its Continue button is enabled."""
    said = page.get_by_text(re.compile(r" — interrupted · ")).count() > 0
    return said and page.get_by_role("button", name="Continue").is_enabled()


def kill_while_training(ada, proxy: str, server) -> None:
    """ada starts a run of 20 passes, her server is SIGKILLed once 2 are done (and saved):
    her open tab shows it interrupted on the survivor within 35 s, and Continue finishes it."""
    ada.goto(f"{proxy}/train?hidden_size=20&iterations=20")
    ada.get_by_role("button", name="Start").click()
    wait_for(lambda: passes_done(ada) >= 2, 300, "ada's run trained 2 passes")  # saved too
    server.kill()  # SIGKILL while it trains: nginx sends ada's open tab to server two
    server.wait()
    try:
        took = wait_for(lambda: can_continue(ada), 60, "the run interrupted, Continue on")
    finally:
        shot(ada, "two-servers-interrupted")
    print(f"two servers: the run shown interrupted {took:.1f} s after the SIGKILL")
    assert took <= 35, f"the survivor showed the run interrupted only after {took:.0f} s"
    ada.get_by_role("button", name="Continue").click()
    ada.get_by_text("finished 20 iterations").wait_for(timeout=600_000)
    shot(ada, "two-servers-continued")


def test_two_servers_share_the_class_live_and_a_run_survives_its_servers_death(browser):
    logs = ROOT / "artifacts"
    with contextlib.ExitStack() as stack:
        db = new_database(stack.enter_context(postgres_server()))  # a password, as Debian's
        env = {"MNIST_LAB_STORE": db, "MNIST_LAB_TEACHER_KEY": KEY, "MNIST_LAB_WORKERS": "1",
               "MNIST_LAB_CHECKPOINT_SECONDS": "1"}  # fmt: skip
        one, one_proc = stack.enter_context(app_process(logs / "streamlit-one.log", **env))
        two, _ = stack.enter_context(app_process(logs / "streamlit-two.log", **env))
        proxy = stack.enter_context(nginx_in_front(one, two))
        tokens = {app: token_for(proxy, app.removeprefix("http://")) for app in (one, two)}
        context, teacher = open_class(browser, two)  # the teacher's tab on server two, left open
        stack.callback(context.close)
        pages = {}
        for app, nickname, phone in ((two, "bob", True), (one, "ada", False)):
            context, page = student(browser, proxy, tokens[app], phone)  # bob on a phone
            stack.callback(context.close)
            train_and_hand_in(page, proxy, nickname)
            pages[app] = page
        # ada handed in on server one: the teacher's open page on two shows it, no click
        wait_for(lambda: metric(teacher, "Students") == "2", 30, "the hand-in on the other server")
        shot(teacher, "two-servers-class-live")
        assert class_students(browser, one) == "2"

        kill_while_training(pages[one], proxy, one_proc)
    log = (logs / "streamlit-two.log").read_text()
    assert re.search(r"^store: postgresql at 127\.0\.0\.1:\d+/t_\w+, ok$", log, re.M), log[:2000]
    assert re.search(r"^data: .*fingerprint [0-9a-f]{12}$", log, re.M)
    assert_clean_log(0, logs / "streamlit-two.log")  # the server that lived: no traceback
