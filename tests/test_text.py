import re

import pytest

from ui.text import done_of, grouped, honest_percent, plain, user_text


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
    assert done_of(done, 30, "pass") == shown  # not "2.80064 / 30"


def test_one_of_one_is_singular():
    assert done_of(1, 1, "pass") == "1 of 1 pass"  # not "1 of 1 passes"
    assert done_of(0.5, 1, "step") == "0.5 of 1 step"


def linkable(markdown: str) -> list[str]:
    """What GFM would autolink in markdown once its backslash escapes are read."""
    text = re.sub(r"\\(.)", r"\1", markdown)
    return re.findall(r"https?://|www\.|[\w.+-]+@[\w-]+\.\w", text, re.IGNORECASE)


@pytest.mark.parametrize(
    "typed", ["see http://127.0.0.1:9/x", "HTTPS://a.b", "www.example.com", "me@example.com"]
)
def test_plain_leaves_nothing_markdown_would_autolink(typed):
    assert linkable(typed)  # the pattern finds it before escaping
    escaped = plain(typed)
    assert not linkable(escaped)
    assert re.sub(r"\\(.)", r"\1", escaped).replace("\u200b", "") == typed  # reads the same


def test_user_text_is_cut_to_a_readable_length_saying_how_long_it_was():
    shown = user_text("x" * 100_000)
    assert len(shown) < 300 and "100,000 characters" in shown


def test_grouped_lists_the_first_few_then_how_many_more():
    text = grouped([f"row {i} is empty" for i in range(1, 20_001)])
    assert text.count("\n- ") == 5 and text.endswith("and 19,995 more")
