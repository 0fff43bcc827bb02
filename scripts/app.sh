#!/usr/bin/env bash
# Install what the app needs into .venv (the first time), then start it: bash scripts/app.sh
# Extra arguments go to `streamlit run`, e.g. --server.port 8080 or --server.address 0.0.0.0.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.requirements.sha256
# (hashed with Python: sha256sum is not on macOS)
digest() { python3 -c 'import hashlib; print(hashlib.sha256(open("requirements.txt","rb").read()).hexdigest())'; }
if [ ! -x .venv/bin/python ]; then
    echo "[1/3] Creating a virtual environment in .venv ..."
    python3 -m venv .venv
else
    echo "[1/3] Using the virtual environment in .venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" = "$(digest)" ]; then
    echo "[2/3] Requirements already installed"
else
    echo "[2/3] Installing numpy, streamlit, plotly and the drawing canvas (the first time only) ..."
    .venv/bin/python -m pip install --disable-pip-version-check --progress-bar on \
        -r requirements.txt
    digest > "$stamp"
fi
# Your own computer without bubblewrap (macOS, Windows, Linux without it): your code may run
# here outside a sandbox, for you only, while the app listens on this machine alone (the
# default, .streamlit/config.toml). Never set on a server others reach (README, the sandbox).
if ! command -v bwrap >/dev/null 2>&1 && { [[ " $* " != *" --server.address"* ]] ||
    [[ " $* " == *"--server.address 127.0.0.1 "* || " $* " == *"--server.address=127.0.0.1 "* ]]; }; then
    export MNIST_LAB_UNSANDBOXED_CODE=1
    echo "      No bubblewrap here: your own code will run on this computer, for you only."
fi
echo "[3/3] Starting the app (Ctrl+C stops it) ..."
exec .venv/bin/python -m streamlit run app.py "$@"
