"""Numbers shown to students: percentages that do not round to a false 100%."""

import pytest

from ui.text import honest_percent


@pytest.mark.parametrize(
    ("p", "shown"),
    [
        (0.5, "50.00%"),
        (0.99996, "99.996%"),
        (0.9999996, "99.99996%"),
        (1.0, "100.00%"),
        (0.00004, "0.004%"),
        (0.0, "0.00%"),
        (1 - 1e-12, "> 99.999999%"),
    ],
)
def test_a_probability_below_one_is_never_shown_as_100_percent(p, shown):
    assert honest_percent(p) == shown
