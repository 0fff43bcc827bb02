"""The class as the teacher sees it: handed-in runs, the leaderboard (the challenge's rules
are runs.challenge), lessons across students, class mode. Pure functions over what the store
holds (no Streamlit)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from mlcore.checkpoint import progress_from_dict
from mlcore.train import Progress, TrainConfig, latest_test_accuracy
from runs.challenge import Challenge
from runs.store import StoredRun
from runs.stored import BLANK_LOOKING, spec_from_text

NICKNAME_MAX = 40
NOTE_MAX = 300


@dataclass(frozen=True)
class HandedIn:
    """One handed-in run: who, what settings, what it reached, and its reports."""

    run_id: str
    nickname: str
    workspace: str  # who handed it in (a nickname alone can be anyone's)
    config: TrainConfig
    data_label: str
    status: str
    lesson: str | None  # "<slug>: <run label>" for a lesson's run
    handed_in: float  # seconds since the epoch
    history: list[Progress] = field(repr=False)

    @property
    def test_accuracy(self) -> float | None:
        return latest_test_accuracy(self.history)

    @property
    def seconds(self) -> float | None:
        return self.history[-1].elapsed if self.history else None

    @property
    def passes(self) -> float:
        return self.history[-1].iteration if self.history else 0.0

    @property
    def lesson_slug(self) -> str | None:
        return None if self.lesson is None else self.lesson.split(": ", 1)[0]

    @property
    def lesson_label(self) -> str | None:
        return None if self.lesson is None else self.lesson.split(": ", 1)[-1]


def handed_in(found: list[StoredRun]) -> list[HandedIn]:
    """The store's handed-in rows (Store.handed_in) as HandedIn, oldest first; a run this
    version cannot read is left out."""
    out = []
    for f in found:
        r = f.row
        try:  # a run another version saved and this one cannot read is left out
            config = spec_from_text(r["spec"]).config
            history = [progress_from_dict(v) for v in f.reports]
        except (ValueError, TypeError, KeyError):
            continue
        lesson = r["handed_lesson"] or r["lesson"]
        out.append(
            HandedIn(
                r["id"],
                r["nickname"],
                r["handed_by"],
                config,
                r["data_label"],
                r["status"],
                lesson,
                r["handed_in"],
                history,
            )
        )
    return out


def check_nickname(text: str) -> str:
    """The nickname to show, stripped; ValueError saying what is wrong with it."""
    name = " ".join(text.split())
    if not name:
        raise ValueError("give a nickname (the teacher sees your run under it)")
    if len(name) > NICKNAME_MAX:
        raise ValueError(f"a nickname has at most {NICKNAME_MAX} characters ({len(name)} given)")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValueError("a nickname cannot hold control or invisible characters")
    if all(ch in BLANK_LOOKING or ch.isspace() for ch in name):
        raise ValueError(
            "a nickname must show: this one is only characters that look blank (such as "
            "the Hangul filler or the blank braille pattern)"
        )
    return name


def leaderboard(
    runs: list[HandedIn], challenge: Challenge, private: dict[str, float] | None = None
) -> list[dict]:
    """Each student's best finished run that keeps to challenge, best first: ranked by its
    private score (private: run id -> accuracy on the teacher's private split, runs.private)
    when given, else by its test accuracy. A student is a workspace: two who chose the same
    nickname are told apart by a tag, never merged."""

    def score(run: HandedIn) -> float | None:
        return run.test_accuracy if private is None else private.get(run.run_id)

    best: dict[str, HandedIn] = {}
    for run in runs:
        if run.status != "finished" or score(run) is None or not challenge.keeps(run):
            continue
        if run.workspace not in best or score(run) > score(best[run.workspace]):
            best[run.workspace] = run
    ranked = sorted(best.values(), key=lambda r: -score(r))
    names = shown_names(ranked)
    return [
        {
            "place": i + 1,
            "nickname": shown_name(r, names),
            **({} if private is None else {"private accuracy (%)": percent(score(r))}),
            "test accuracy (%)": percent(r.test_accuracy),
            "hidden units": r.config.hidden_size,
            "iterations": r.config.iterations,
            "batch": batch_text(r.config),
            "learning rate": r.config.learning_rate,
            "run": r.run_id,
        }
        for i, r in enumerate(ranked)
    ]


def percent(acc: float | None) -> float | None:
    return None if acc is None else round(100 * acc, 2)


def batch_text(config: TrainConfig) -> str:
    """The batch size as text ('full' or '64'): a table column holds one type (pyarrow)."""
    return "full" if config.batch_size is None else str(config.batch_size)


def shown_names(runs: list[HandedIn]) -> dict[tuple[str, str], str]:
    """(workspace, nickname) -> the name to show for a run handed in under that nickname: the
    nickname itself, with "#" and a short tag when several students chose it."""
    owners: dict[str, set[str]] = {}
    for run in runs:
        owners.setdefault(run.nickname, set()).add(run.workspace)
    return {
        (run.workspace, run.nickname): run.nickname
        if len(owners[run.nickname]) == 1
        else f"{run.nickname} #{run.workspace[:4]}"
        for run in runs
    }


def shown_name(run: HandedIn, names: dict[tuple[str, str], str]) -> str:
    return names[(run.workspace, run.nickname)]


def lesson_results(runs: list[HandedIn]) -> dict[str, list[tuple[str, str, float]]]:
    """Per lesson slug: (run label, nickname, test accuracy) of its handed-in training runs."""
    out: dict[str, list[tuple[str, str, float]]] = {}
    names = shown_names(runs)
    for run in runs:
        if run.lesson_slug is None or run.test_accuracy is None:
            continue
        out.setdefault(run.lesson_slug, []).append(
            (run.lesson_label, shown_name(run, names), run.test_accuracy)
        )
    return out


@dataclass(frozen=True)
class ClassMode:
    """What the teacher locks for a session of the course."""

    lessons: tuple[str, ...] | None = None  # the lessons shown (None: all)
    lock_data: bool = False  # no downloads or uploads of data, no server paths
    note: str = ""  # shown at the top of Home

    @classmethod
    def from_dict(cls, values: dict | None) -> ClassMode:
        """Read tolerantly, typed strictly: lessons only as a list of names (anything else
        in it is left out), the lock only as true, the note only as text (cut)."""
        values = values if isinstance(values, dict) else {}
        lessons = values.get("lessons")
        note = values.get("note", "")
        return cls(
            lessons=None
            if not isinstance(lessons, list)
            else tuple(s for s in lessons if isinstance(s, str)),
            lock_data=values.get("lock_data") is True,
            note=note[:NOTE_MAX] if isinstance(note, str) else "",
        )

    def as_dict(self) -> dict:
        return {"lessons": None if self.lessons is None else list(self.lessons),
                "lock_data": self.lock_data, "note": self.note}  # fmt: skip
