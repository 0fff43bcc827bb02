"""The app's .streamlit/config.toml: every key exists in this Streamlit, and is applied."""

import subprocess
import sys
import tomllib

from streamlit import config

from .conftest import ROOT

SETTINGS = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
EXPECTED = {
    "client.toolbarMode": "minimal",
    "runner.postScriptGC": False,
    "server.address": "127.0.0.1",
    "server.disconnectedSessionTTL": 65,
    "browser.gatherUsageStats": False,
}


def test_every_key_of_the_config_file_is_a_streamlit_option():
    keys = [f"{section}.{key}" for section, values in SETTINGS.items() for key in values]
    assert set(keys) == set(EXPECTED)
    for key in keys:
        config.get_option(key)  # raises RuntimeError for a key this Streamlit does not know


def test_streamlit_started_in_the_project_applies_the_settings():
    keys = list(EXPECTED)
    code = f"from streamlit import config; print([config.get_option(k) for k in {keys!r}])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == repr(list(EXPECTED.values())), result.stderr
