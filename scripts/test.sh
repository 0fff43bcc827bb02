#!/usr/bin/env bash
# Set up everything the tests need, then run lint and the whole suite: bash scripts/test.sh
# Extra arguments go to pytest (e.g. -k softmax). CI=true: a missing browser or data fails.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Real-browser tests use Debian's Chromium (Playwright cannot download browsers here).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif [ "${CI:-}" = "true" ]; then
    echo "error: chromium is missing and cannot be installed; browser tests must run in CI" >&2
    exit 1
  else
    echo "warning: no chromium; install it (apt-get install chromium) or browser tests will skip" >&2
  fi
fi

# The official MNIST files, for tests that need full MNIST (see README: Data).
if [ -z "${MNIST_DIR:-}" ] && [ -d ../shared/datasets/mnist ]; then
  export MNIST_DIR="$PWD/../shared/datasets/mnist"
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
