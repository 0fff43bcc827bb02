from ui.text import plain


def test_plain_escapes_every_markdown_character_and_keeps_the_rest():
    typed = "*bold* _it_ `code` [link](x) $x$ :red[r] # 1. - <b> ~s~ a\\b"
    escaped = plain(typed)
    assert escaped.replace("\\", "") == typed.replace("\\", "")
    for i, char in enumerate(escaped):
        if char in "*_`[]()$:#.-<>~":
            assert escaped[i - 1] == "\\", (char, escaped[: i + 1])


def test_plain_leaves_words_and_digits_alone():
    assert plain("row 2 is empty") == "row 2 is empty"
