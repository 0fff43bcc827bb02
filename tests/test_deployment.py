"""The deployment a teacher follows: the nginx file the generator writes passes `nginx -t`,
the store is checked at start-up with a reason a teacher can act on, every server's data has a
fingerprint and a class whose servers differ is told so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from deploy import nginx_conf
from runs import deployment

from .conftest import ROOT
from .postgres import postgres_server


def nginx_binary() -> str:
    debian = "/usr/sbin/nginx"
    found = shutil.which("nginx") or (debian if os.path.exists(debian) else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("nginx must be installed in CI (apt-get install nginx-light)")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return found


def test_the_generated_nginx_config_passes_nginx_t(tmp_path):
    servers = ["127.0.0.1:8501", "127.0.0.1:8502"]
    command = [sys.executable, str(ROOT / "deploy" / "nginx_conf.py"), *servers,
               "--listen", "127.0.0.1:18080", "--standalone", str(tmp_path)]  # fmt: skip
    conf = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    (tmp_path / "nginx.conf").write_text(conf)
    checked = subprocess.run(
        [nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    assert "hash $lab_work consistent" in conf and "server 127.0.0.1:8502" in conf


def test_the_site_file_names_https_and_a_secure_cookie_only_with_a_certificate():
    plain = nginx_conf.site(["10.0.0.2:8501"])
    tls = nginx_conf.site(["10.0.0.2:8501"], "443", "/etc/ssl/lab.pem", "/etc/ssl/lab.key")
    assert "Secure" not in plain and "listen 80;" in plain
    assert "listen 443 ssl;" in tls and "SameSite=Lax; Secure" in tls
    assert "ssl_certificate_key /etc/ssl/lab.key;" in tls


@pytest.mark.parametrize("servers", [[], ["8501"], ["host:8501; evil"]])
def test_the_generator_refuses_servers_that_are_not_host_and_port(servers):
    with pytest.raises(ValueError, match="host:port"):
        nginx_conf.site(servers)


def test_a_url_without_its_password_is_told_to_put_it_in_the_url():
    with postgres_server() as url:
        ok, line = deployment.check_store(url)
        assert ok and line.startswith("store: postgresql at 127.0.0.1:") and line.endswith(", ok")
        user, rest = url.split("//", 1)[1].split("@", 1)
        no_password = f"postgresql+psycopg://{user.split(':')[0]}@{rest}"
        ok, line = deployment.check_store(no_password)
    assert not ok
    assert "FAILED: " in line and "no password supplied: put it in the URL" in line
    assert "lab-pw-" not in line  # a password never reaches the log


def test_a_store_that_is_not_a_url_is_named():
    ok, line = deployment.check_store("postgres at the school")
    assert not ok and "is not a database URL" in line


def test_the_fingerprint_changes_with_one_pixel_and_not_with_a_copy():
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 256, (50, 784), dtype=np.uint8), rng.integers(0, 10, 50)]
    copy = [a.copy() for a in arrays]
    changed = [a.copy() for a in arrays]
    changed[0][3, 400] ^= 1
    assert deployment.fingerprint(arrays) == deployment.fingerprint(copy)
    assert deployment.fingerprint(arrays) != deployment.fingerprint(changed)


def test_live_servers_with_different_data_are_named_and_gone_ones_forgotten():
    full = deployment.data_entry("Full MNIST, 60,000 / 10,000", "aaa", "lab1:8501", now=1000.0)
    sample = deployment.data_entry("Bundled sample, 6,000 / 1,000", "bbb", "lab2:8501", now=1000.0)
    row = deployment.merged(None, "one", full, 1000.0)
    assert deployment.mismatch(row, now=1010.0) is None
    row = deployment.merged(row, "two", sample, 1010.0)
    said = deployment.mismatch(row, now=1010.0)
    assert said and "Bundled sample" in said and "lab2:8501" in said and "same MNIST_DIR" in said
    later = 1000.0 + deployment.DATA_FRESH + 1  # server two stopped writing: it is gone
    row = deployment.merged(row, "one", {**full, "at": later}, later)
    assert set(row) == {"one"} and deployment.mismatch(row, now=later) is None
