#!/usr/bin/env bash
# Set up everything the tests need, then run lint and the whole suite: bash scripts/test.sh
# Extra arguments go to pytest (e.g. -k softmax). CI=true: a missing browser or data fails.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
# Compiled at install (37 s; 20 s without): with PYTHONDONTWRITEBYTECODE set, as on these
# machines, nothing is compiled later and every process (each test worker, app server and
# training worker) compiled its imports again: 2 min more of the suite's CPU.
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Debian's packages the tests start themselves, on 127.0.0.1 only: Chromium for the browser
# tests (Playwright cannot download browsers here), PostgreSQL for the run store's second
# database, nginx for the several-servers test, bubblewrap to sandbox a student's code (and
# to put a store on a read-only disk), fonts for the non-digit letters and symbols.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
{ command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null 2>&1 || missing+=(nginx-light)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
[ -d /usr/share/fonts/truetype/liberation ] || missing+=(fonts-liberation)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's ${missing[*]} for the tests ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif [ "${CI:-}" = "true" ]; then
    echo "error: ${missing[*]} missing and cannot be installed; these tests must run in CI" >&2
    exit 1
  else
    echo "warning: no ${missing[*]} (apt-get install ${missing[*]}): their tests will skip" >&2
  fi
fi

# The official MNIST files, for tests that need full MNIST (see README: Data).
if [ -z "${MNIST_DIR:-}" ] && [ -d ../shared/datasets/mnist ]; then
  export MNIST_DIR="$PWD/../shared/datasets/mnist"
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
status=0
# Two workers, each with a group of the browser tests (tests/e2e/conftest.py: SECOND_GROUP), the
# other tests shared out between them.
.venv/bin/python -m pytest -n 2 --dist loadgroup --durations=15 "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
