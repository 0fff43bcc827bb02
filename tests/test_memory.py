"""runs/memory.py: freed memory goes back to the system (glibc on Linux, as the server runs)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from runs.scheduler import ROOT

# In a fresh process: a freed 16 MB block makes glibc raise its mmap threshold; then an 8 MB
# block (as an upload's bytes) is freed under small objects allocated after it. Prints how
# many MB stay resident.
PROBE = """
import re, sys
from pathlib import Path
from runs.memory import return_large_blocks
assert return_large_blocks()
def rss():
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\\s+(\\d+)", status).group(1)) / 1024
first = bytearray(16 << 20); del first
base = rss()
block = bytearray(8 << 20)
small = [bytearray(64) for _ in range(20000)]
del block
print(rss() - base)
"""


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="glibc's malloc only (macOS, Windows: no-op)"
)
def test_a_freed_large_block_goes_back_to_the_system_at_once():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) < 6  # MB: the 8 MB block is gone (10.9 MB stayed without it)
