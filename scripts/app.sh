#!/usr/bin/env bash
# Install what the app needs into .venv (first run ~30 s), then start it: bash scripts/app.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
exec .venv/bin/python -m streamlit run app.py --browser.gatherUsageStats=false "$@"
