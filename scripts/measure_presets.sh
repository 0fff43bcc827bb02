#!/usr/bin/env bash
# Train every preset on full MNIST and on the bundled sample; print "word data accuracy".
# The figures go into mlcore/lessons.py's PRESET_RESULTS. Usage: bash scripts/measure_presets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
words=$($PY -c 'from mlcore.lessons import PRESET_WORDS; print(" ".join(PRESET_WORDS))')
for data in sample full; do
  for word in $words; do
    acc=$($PY -m mlcore.train --preset "$word" --data "$data" | sed -n 's/^test accuracy: //p')
    echo "$word $data ${acc:-diverged}"
  done
done
