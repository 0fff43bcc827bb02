"""The class's rules: nicknames, the challenge, the leaderboard, lessons across students."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mlcore.train import Progress, TrainConfig
from runs.challenge import Challenge, parse_deadline, when
from runs.classroom import (
    ClassMode,
    HandedIn,
    batch_text,
    check_nickname,
    leaderboard,
    lesson_results,
    shown_name,
    shown_names,
)
from ui.key_guard import Throttle


def run(nick, acc, hidden=50, iterations=2, status="finished", lesson=None, workspace=None):
    history = [Progress(iterations, 0, 0.1, 0.9, acc, 3.0, 0.05, done=True)]
    config = TrainConfig(hidden_size=hidden, iterations=iterations)
    ws = workspace or f"ws-{nick}"
    return HandedIn(f"{nick}{acc}", nick, ws, config, "full", status, lesson, 0.0, history)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "give a nickname"),
        ("   ", "give a nickname"),
        ("x" * 41, "at most 40"),
        ("bad\x00name", "control"),
        ("zero\u200bwidth", "control"),
    ],
)
def test_a_nickname_that_cannot_be_shown_is_refused_saying_why(text, why):
    with pytest.raises(ValueError, match=why):
        check_nickname(text)


def test_a_nickname_keeps_markup_as_text_and_its_spaces_tidied():
    assert check_nickname("  <b>Ada</b>   [x](http://e.vil) ") == "<b>Ada</b> [x](http://e.vil)"


def test_the_leaderboard_ranks_each_nicknames_best_run_that_keeps_to_the_challenge():
    runs = [
        run("ada", 0.95), run("ada", 0.97), run("bob", 0.96),
        run("cy", 0.99, hidden=200),  # breaks "at most 50 hidden units"
        run("dee", 0.98, status="stopped"),  # not finished
        run("eve", 0.94, iterations=3),  # breaks "at most 2 iterations"
    ]  # fmt: skip
    board = leaderboard(runs, Challenge(max_hidden=50, max_iterations=2))
    assert [(r["place"], r["nickname"], r["test accuracy (%)"]) for r in board] == [
        (1, "ada", 97.0), (2, "bob", 96.0)
    ]  # fmt: skip
    assert [r["nickname"] for r in leaderboard(runs, Challenge())] == ["cy", "ada", "bob", "eve"]


def test_a_challenge_names_a_bad_limit_and_a_damaged_setting_means_no_limits():
    with pytest.raises(ValueError, match="max_hidden=0 must be a whole number"):
        Challenge(max_hidden=0)
    assert Challenge.from_dict({"max_hidden": "lots"}) == Challenge()
    assert Challenge.from_dict(Challenge(5, 2, True).as_dict()) == Challenge(5, 2, True)
    assert Challenge(5, None).rule() == "at most 5 hidden units"


def test_lessons_gather_each_students_result_per_run_label():
    runs = [run("ada", 0.8, lesson="scaling: raw"), run("bob", 0.93, lesson="scaling: [0, 1]"),
            run("bob", 0.5)]  # fmt: skip
    assert lesson_results(runs) == {"scaling": [("raw", "ada", 0.8), ("[0, 1]", "bob", 0.93)]}


def test_class_mode_from_a_damaged_setting_shows_everything_and_cuts_the_note():
    assert ClassMode.from_dict({"lessons": "scaling", "lock_data": "yes"}) == ClassMode()
    mode = ClassMode.from_dict({"lessons": ["scaling"], "lock_data": True, "note": "n" * 999})
    assert mode.lessons == ("scaling",) and mode.lock_data and len(mode.note) == 300


def test_wrong_keys_are_slowed_down_per_client_and_a_right_key_resets():
    now = [100.0]
    t = Throttle(clock=lambda: now[0])
    for _ in range(3):
        assert t.wait_left("a") == 0
        t.record("a", right=False)
    assert t.wait_left("a") == pytest.approx(2.0) and t.wait_left("b") == 0
    t.record("a", right=False)
    assert t.wait_left("a") == pytest.approx(4.0)
    now[0] += 4.0
    assert t.wait_left("a") == 0
    for _ in range(20):
        t.record("a", right=False)
    assert t.wait_left("a") == pytest.approx(60.0)  # at most a minute
    t.record("a", right=True)
    assert t.wait_left("a") == 0


def test_two_students_with_one_nickname_are_told_apart_never_merged():
    runs = [run("ada", 0.95, workspace="aaaa1"), run("ada", 0.97, workspace="bbbb2")]
    board = leaderboard(runs, Challenge())
    assert [r["nickname"] for r in board] == ["ada #bbbb", "ada #aaaa"]


def test_each_run_shows_the_nickname_it_was_handed_in_under():
    runs = [run("Ana", 0.9, workspace="w1"), run("Ana 2", 0.95, workspace="w1")]
    names = shown_names(runs)
    assert [shown_name(r, names) for r in runs] == ["Ana", "Ana 2"]


def test_a_run_breaking_the_challenge_is_told_each_rule_it_breaks():
    strict = Challenge(max_hidden=100, max_iterations=5, max_batch=256, allow_augment=False,
                       max_seconds=60, deadline=1_000.0)  # fmt: skip
    config = TrainConfig(hidden_size=200, iterations=6, batch_size=None)
    assert strict.reasons(config, 95.0, 2_000.0) == [
        "hidden units 200 > 100", "iterations 6 > 5", "batch size full > 256",
        "training time 95 s > 60 s",
        f"handed in after the deadline ({when(1_000.0)})",
    ]  # fmt: skip
    augmented = TrainConfig(hidden_size=50, iterations=2, batch_size=64, augment="affine")
    assert strict.reasons(augmented, 10.0, 500.0) == ["augmentation 'affine' is not allowed"]
    assert strict.reasons(replace(augmented, augment="none"), 10.0, 500.0) == []
    assert "no augmentation" in strict.rule() and not Challenge().is_set


def test_a_deadline_is_read_as_server_time_and_a_wrong_one_named():
    moment = parse_deadline("2026-12-07 14:00")
    assert when(moment) == "2026-12-07 14:00" and parse_deadline("  ") is None
    with pytest.raises(ValueError, match="not a moment like 2026-12-07 14:00"):
        parse_deadline("tomorrow")


def test_the_board_ranks_by_the_private_split_and_shows_both_scores():
    runs = [run("ada", 0.99), run("bob", 0.95)]
    private = {runs[0].run_id: 0.90, runs[1].run_id: 0.93}  # ada tuned to the public test set
    board = leaderboard(runs, Challenge(), private)
    assert [(r["nickname"], r["private accuracy (%)"], r["test accuracy (%)"]) for r in board] == [
        ("bob", 93.0, 95.0), ("ada", 90.0, 99.0)
    ]  # fmt: skip
    assert "private accuracy (%)" not in leaderboard(runs, Challenge())[0]


def test_the_batch_column_holds_text_only():
    full, mini = run("ada", 0.9), run("bob", 0.9)
    full = replace(full, config=TrainConfig(batch_size=None))
    assert [batch_text(r.config) for r in (full, mini)] == ["full", "64"]
