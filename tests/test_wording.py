"""mlcore.wording: counts and numbers as a person writes them."""

import pytest

from mlcore.wording import counted, significant


@pytest.mark.parametrize(
    "n, noun, shown",
    [(1, "iteration", "1 iteration"), (2, "iteration", "2 iterations"), (0, "run", "0 runs"),
     (1, "pass", "1 pass"), (3, "pass", "3 passes"), (2_000, "step", "2,000 steps"),
     (1.0, "pass", "1 pass"), (2.5, "pass", "2.5 passes"), (0.99996, "pass", "1 pass"),
     (0.00426, "pass", "0.004 passes")],
)  # fmt: skip
def test_a_count_is_singular_for_exactly_one(n, noun, shown):
    assert counted(n, noun) == shown


@pytest.mark.parametrize(
    "x, shown",
    [(3.725e-05, "0.000037"), (0.1814, "0.18"), (0.0999, "0.10"), (207.8, "208"), (0.0, "0"),
     (2.5e-12, "2.5e-12"), (-0.00123, "-0.0012")],
)  # fmt: skip
def test_a_column_of_small_and_large_numbers_reads_one_way(x, shown):
    assert significant(x) == shown  # not 3.725e-05 beside 0.1814
