"""A class on two app servers sharing PostgreSQL behind nginx (sticky by workspace): a
student on each hands in, the class page on either shows both, one server is killed and its
student, reconnecting through nginx, finds their runs on the other."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from ..postgres import new_database, postgres_server
from .conftest import ROOT, app_process, assert_clean_log, free_port, shot

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
    page.get_by_text("finished 1 iteration.").wait_for(timeout=90_000)
    page.get_by_text("Hand in this run to your teacher").click()
    page.get_by_label("Nickname", exact=True).fill(nickname)
    page.get_by_role("button", name="Hand in", exact=True).click()
    page.get_by_text(f"Handed in as {nickname}").wait_for(timeout=30_000)


def class_students(browser, app: str) -> str:
    """The Students metric of the Class page on app, opened with the key."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{app}/class_view")
    page.get_by_label("Teacher's key", exact=True).fill(KEY)
    page.get_by_role("button", name="Open the class view").click()
    metric = page.get_by_test_id("stMetric").filter(has_text="Students")
    metric.wait_for(timeout=30_000)
    value = metric.get_by_test_id("stMetricValue").inner_text().strip()
    shot(page, f"class-{app.rsplit(':', 1)[1]}")
    context.close()
    return value


def test_two_servers_share_the_class_and_a_student_survives_their_servers_death(browser):
    logs = ROOT / "artifacts"
    with contextlib.ExitStack() as stack:
        db = new_database(stack.enter_context(postgres_server()))
        env = {"MNIST_LAB_STORE": db, "MNIST_LAB_TEACHER_KEY": KEY, "MNIST_LAB_WORKERS": "1"}
        one, one_proc = stack.enter_context(app_process(logs / "streamlit-one.log", **env))
        two, _ = stack.enter_context(app_process(logs / "streamlit-two.log", **env))
        proxy = stack.enter_context(nginx_in_front(one, two))
        tokens = {app: token_for(proxy, app.removeprefix("http://")) for app in (one, two)}
        pages = {}
        for app, nickname, phone in ((one, "ada", False), (two, "bob", True)):
            context, page = student(browser, proxy, tokens[app], phone)  # bob on a phone
            stack.callback(context.close)
            train_and_hand_in(page, proxy, nickname)
            pages[app] = page
        assert class_students(browser, one) == "2" and class_students(browser, two) == "2"

        one_proc.kill()  # ada's server dies; nginx sends her to the other
        one_proc.wait()
        ada = pages[one]
        ada.goto(proxy)
        ada.get_by_text("1 run kept").wait_for(timeout=60_000)
        shot(ada, "two-servers-after-failover")
        assert class_students(browser, two) == "2"
    assert_clean_log(0, logs / "streamlit-two.log")  # the server that lived: no traceback
