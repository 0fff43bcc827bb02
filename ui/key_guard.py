"""Guessing the teacher's key: slowed per browser, paced for the whole class, a right key
never refused by anyone else's guesses; and the key's own minimum length.

Pure (a clock and a sleep are handed in), so the rules are tested on a fake clock.
"""

from __future__ import annotations

import math
import threading
import time

FREE_TRIES = 3  # wrong keys a browser may give before each further try must wait
LONGEST_WAIT = 60.0  # seconds a browser waits, at most, after many wrong keys
CLASS_CHECKS_PER_SECOND = 4.0  # key checks for the whole class: a student script that makes
# a new browser per guess gets at most this many; a 12-character key of letters and digits
# then takes ~10^13 years of guessing
MIN_KEY_LENGTH = 12


def key_problem(key: str) -> str | None:
    """Why key cannot be the teacher's key (too short to resist guessing), else None."""
    if 0 < len(key) < MIN_KEY_LENGTH:
        return (
            f"MNIST_LAB_TEACHER_KEY is {len(key)} characters long; a teacher's key needs at "
            f"least {MIN_KEY_LENGTH}, so students cannot guess it (choose a longer one and "
            "start the app again)."
        )
    return None


def seconds_in_words(wait: float) -> str:
    """A wait as a page says it: whole seconds, rounded up (0.2 s left is "1 s", never "0 s")."""
    return f"{max(1, math.ceil(wait))} s"


class Throttle:
    """Wrong keys per browser (its workspace, else its tab; never its address, which a class
    behind one router shares): after FREE_TRIES, the next try waits 2, 4, 8 ... s (at most 60)."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.RLock()
        self._wrong: dict[str, tuple[int, float]] = {}  # browser -> (wrong tries, last at)

    def wait_left(self, browser: str) -> float:
        """Seconds before browser may try again (0: now)."""
        with self._lock:
            n, last = self._wrong.get(browser, (0, 0.0))
        if n < FREE_TRIES:
            return 0.0
        wait = min(LONGEST_WAIT, 2.0 ** (n - FREE_TRIES + 1))
        return max(0.0, last + wait - self._clock())

    def attempt(self, browser: str, right: bool) -> float:
        """One try, checked and counted at once (tries in parallel cannot slip through):
        the seconds browser must still wait, or 0 if the try counted."""
        with self._lock:
            wait = self.wait_left(browser)
            if wait == 0:
                self.record(browser, right)
            return wait

    def record(self, browser: str, right: bool) -> None:
        with self._lock:
            if right:
                self._wrong.pop(browser, None)
            else:
                n, _ = self._wrong.get(browser, (0, 0.0))
                self._wrong[browser] = (n + 1, self._clock())


class ClassPace:
    """At most `per_second` key checks for the whole class, first come first served: a check
    waits for its turn instead of being refused, so a right key is late at worst, never
    turned away, however fast others guess."""

    def __init__(
        self, per_second: float = CLASS_CHECKS_PER_SECOND, clock=time.monotonic, sleep=time.sleep
    ):
        self._gap = 1.0 / per_second
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next = 0.0  # when the next check may be made

    def turn(self) -> float:
        """Wait for this check's turn; returns the seconds waited."""
        with self._lock:  # decide the turn under the lock, wait outside it
            now = self._clock()
            at = max(now, self._next)
            self._next = at + self._gap
        if at > now:
            self._sleep(at - now)
        return at - now
