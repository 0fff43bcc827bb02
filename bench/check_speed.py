"""How long a check of the reference takes (target < 1 s: in process, and through the sandbox
as the page runs it), and how the held-out mistakes fare.

    python bench/check_speed.py [--rounds 20]

Held-out mistakes (tests/lab_mistakes_cases.py HELD_OUT) were written before the diagnoser ran
on them: the count of those whose sentence names the problem (a known mistake key) against
those that get a generic sentence ("the numbers differ", "shape X where Y was meant").
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcore.check import check_source
from runs import sandbox
from tests.lab_mistakes_cases import REFERENCE, with_function
from tests.lab_mistakes_held_out import HELD_OUT

GENERIC = {"wrong_values", "wrong_shape", "wrong_type", "nan", "returns_none", "unchecked", ""}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    check_source(REFERENCE)  # warm-up: imports, first calls
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        assert check_source(REFERENCE).passed
        times.append(time.perf_counter() - started)
    print(
        f"check of the reference: median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {rounds} rounds (target < 1,000 ms)"
    )
    sandboxed = []
    for _ in range(max(3, rounds // 4)):
        started = time.perf_counter()
        assert "error" not in sandbox.run_check(REFERENCE, local=True)
        sandboxed.append(time.perf_counter() - started)
    where = "bubblewrap" if sandbox.status().available else "no sandbox here: a plain process"
    print(
        f"the same through runs.sandbox.run_check ({where}): median "
        f"{statistics.median(sandboxed) * 1000:.0f} ms over {len(sandboxed)} (a new process each)"
    )
    named = 0
    for name, code in HELD_OUT:
        found = next(f for f in check_source(with_function(code)).findings if f.name == name)
        named += found.mistake not in GENERIC
        print(f"  held out, {name}: {found.mistake or 'generic'}: {found.sentence[:110]}")
    print(f"held-out mistakes named: {named} of {len(HELD_OUT)}; generic: {len(HELD_OUT) - named}")


if __name__ == "__main__":
    main()
