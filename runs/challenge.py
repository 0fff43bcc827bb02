"""The teacher's challenge: limits a run must keep to for the leaderboard (hidden units,
iterations, batch size, augmentation, training time, a deadline), the reasons a hand-in does
not qualify, and the setting read tolerantly. Pure: no Streamlit, no database."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from mlcore.train import TrainConfig


@dataclass(frozen=True)
class Challenge:
    """The teacher's limits; the leaderboard ranks the finished runs that keep to them, and a
    hand-in that breaks one is told which (reasons)."""

    max_hidden: int | None = None  # at most this many hidden units
    max_iterations: int | None = None  # at most this many iterations (passes or steps)
    show_students: bool = False  # the leaderboard on the students' Class page too
    max_batch: int | None = None  # at most this many images per step (a full batch breaks it)
    allow_augment: bool = True  # distorted copies (mlcore.augment) allowed
    max_seconds: int | None = None  # at most this many seconds of training
    deadline: float | None = None  # hand-ins after this moment (epoch s) do not count
    closed: bool = False  # the teacher closed it: students see the private scores

    def __post_init__(self):
        for name in ("max_hidden", "max_iterations", "max_batch", "max_seconds"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name}={value!r} must be a whole number >= 1, or none")
        if self.deadline is not None and not isinstance(self.deadline, int | float):
            raise ValueError(f"deadline={self.deadline!r} must be a moment (epoch s), or none")

    def reasons(self, config: TrainConfig, seconds: float | None, at: float) -> list[str]:
        """Why a run of config, trained for seconds and handed in at `at` (epoch s), does not
        qualify: e.g. ["hidden units 200 > 100"]; [] when it does."""
        out = []
        if self.max_hidden is not None and config.hidden_size > self.max_hidden:
            out.append(f"hidden units {config.hidden_size} > {self.max_hidden}")
        if self.max_iterations is not None and config.iterations > self.max_iterations:
            out.append(f"iterations {config.iterations} > {self.max_iterations}")
        if self.max_batch is not None and (config.batch_size or 10**9) > self.max_batch:
            out.append(f"batch size {config.batch_size or 'full'} > {self.max_batch}")
        if not self.allow_augment and config.augment != "none":
            out.append(f"augmentation '{config.augment}' is not allowed")
        if self.max_seconds is not None and (seconds or 0.0) > self.max_seconds:
            out.append(f"training time {seconds:.0f} s > {self.max_seconds} s")
        if self.deadline is not None and at > self.deadline:
            out.append(f"handed in after the deadline ({when(self.deadline)})")
        return out

    def keeps(self, run) -> bool:
        """Whether a handed-in run (runs.classroom.HandedIn) keeps to every limit."""
        return not self.reasons(run.config, run.seconds, run.handed_in)

    def rules(self) -> list[str]:
        """The limits in words, one each."""
        parts = []
        if self.max_hidden is not None:
            parts.append(f"at most {self.max_hidden} hidden units")
        if self.max_iterations is not None:
            parts.append(f"at most {self.max_iterations} iterations")
        if self.max_batch is not None:
            parts.append(f"a batch size of at most {self.max_batch} (not the full batch)")
        if not self.allow_augment:
            parts.append("no augmentation")
        if self.max_seconds is not None:
            parts.append(f"at most {self.max_seconds} s of training")
        if self.deadline is not None:
            parts.append(f"handed in by {when(self.deadline)}")
        return parts

    def rule(self) -> str:
        return ", ".join(self.rules()) or "no limits"

    @property
    def is_set(self) -> bool:
        """Whether the teacher set any limit (a challenge to show students)."""
        return bool(self.rules())

    @classmethod
    def from_dict(cls, values: dict | None) -> Challenge:
        """Read tolerantly, typed strictly: each field of the right type is kept, any other
        (a damaged or older setting: "20", true, -3) is its default, field by field."""
        values = values if isinstance(values, dict) else {}
        known = {k: v for k in WHOLE_FIELDS if _whole(v := values.get(k))}
        known |= {k: v for k in FLAG_FIELDS if isinstance(v := values.get(k), bool)}
        moment = values.get("deadline")
        if isinstance(moment, int | float) and not isinstance(moment, bool):
            known["deadline"] = float(moment)
        return cls(**known)

    def as_dict(self) -> dict:
        return asdict(self)


def _whole(value) -> bool:
    """A whole number >= 1 as a setting stores it (not a bool, a float or a text)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


WHOLE_FIELDS = ("max_hidden", "max_iterations", "max_batch", "max_seconds")
FLAG_FIELDS = ("show_students", "allow_augment", "closed")


def when(moment: float) -> str:
    """A deadline as the server's local time, e.g. '2026-12-07 14:00'."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(moment))


def parse_deadline(text: str) -> float | None:
    """'2026-12-07 14:00' (server time) -> epoch seconds; '' -> None; ValueError saying why."""
    text = text.strip()
    if not text:
        return None
    try:
        return time.mktime(time.strptime(text, "%Y-%m-%d %H:%M"))
    except ValueError:
        raise ValueError(f"the deadline '{text}' is not a moment like 2026-12-07 14:00") from None
