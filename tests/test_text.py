import pytest

from ui.text import done_of, honest_percent, plain


def test_plain_escapes_every_markdown_character_and_keeps_the_rest():
    typed = "*bold* _it_ `code` [link](x) $x$ :red[r] # 1. - <b> ~s~ a\\b"
    escaped = plain(typed)
    assert escaped.replace("\\", "") == typed.replace("\\", "")
    for i, char in enumerate(escaped):
        if char in "*_`[]()$:#.-<>~":
            assert escaped[i - 1] == "\\", (char, escaped[: i + 1])


def test_plain_leaves_words_and_digits_alone():
    assert plain("row 2 is empty") == "row 2 is empty"


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


@pytest.mark.parametrize(
    "done, shown",
    [(2.80064, "2.8 of 30 passes"), (0.00426439, "0.004 of 30 passes"), (3.0, "3 of 30 passes"),
     (0, "0 of 30 passes")],
)  # fmt: skip
def test_how_far_a_run_is_reads_as_a_person_writes_it(done, shown):
    assert done_of(done, 30, "passes") == shown  # not "2.80064 / 30"
