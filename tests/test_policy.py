"""The scheduler's rules at given times: no processes, no sleeps, no machine speed."""

import math

import pytest

from runs import policy


def test_a_stop_is_overdue_only_after_the_grace_from_when_the_data_was_ready():
    # asked at 10 s, data ready at 12 s, reports every 0.5 s, grace 3 s
    assert not policy.stop_overdue(10.0, 12.0, 0.5, now=14.9, stop_grace=3.0)
    assert policy.stop_overdue(10.0, 12.0, 0.5, now=15.1, stop_grace=3.0)


def test_a_slow_step_gets_twice_its_time_between_reports():
    assert not policy.stop_overdue(10.0, 10.0, 20.0, now=49.0, stop_grace=3.0)
    assert policy.stop_overdue(10.0, 10.0, 20.0, now=50.5, stop_grace=3.0)


def test_a_stop_while_the_data_loads_waits_for_the_load_limit():
    assert not policy.stop_overdue(5.0, 0.0, 0.0, now=5.0 + 59, stop_grace=3.0)
    assert policy.stop_overdue(5.0, 0.0, 0.0, now=5.0 + policy.DATA_LOAD_LIMIT + 1, stop_grace=3)


def test_a_turn_counts_from_when_the_data_was_ready_and_never_before():
    assert not policy.turn_over(turn_started=0.0, data_ready=0.0, now=100.0, turn_seconds=10.0)
    assert not policy.turn_over(turn_started=0.0, data_ready=5.0, now=14.9, turn_seconds=10.0)
    assert policy.turn_over(turn_started=0.0, data_ready=5.0, now=15.1, turn_seconds=10.0)


@pytest.mark.parametrize(
    ("cores", "busy", "useful", "threads"),
    [(2, 1, 2, 2), (2, 1, 1, 1), (2, 2, 2, 1), (8, 3, 8, 2), (2, 5, 2, 1)],
)
def test_cores_are_shared_evenly_and_no_run_gets_more_than_it_can_use(cores, busy, useful, threads):
    assert policy.threads_each(cores, busy, useful) == threads


def test_a_worker_is_free_at_its_runs_end_or_its_turns_end_whichever_comes_first():
    assert policy.free_in(eta=3.0, turn_started=0.0, now=2.0, turn_seconds=10.0) == 3.0
    assert policy.free_in(eta=30.0, turn_started=0.0, now=2.0, turn_seconds=10.0) == 8.0
    assert policy.free_in(eta=None, turn_started=0.0, now=2.0, turn_seconds=10.0) == 8.0
    assert policy.free_in(eta=5.0, turn_started=0.0, now=20.0, turn_seconds=10.0) == 0.0


def test_waiting_runs_start_as_workers_free_up_then_a_turn_later_each_round():
    free = [4.0, 1.0]  # two workers: free in 4 s and in 1 s
    assert [policy.start_estimate(free, k, 10.0) for k in range(4)] == [1.0, 4.0, 11.0, 14.0]
    assert math.isnan(policy.start_estimate([], 0, 10.0))
