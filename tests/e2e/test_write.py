"""Write it yourself in Chromium: typing into the code editor, Check's sentences, both curves
of Train with my code, and the versions kept after a reload."""

from __future__ import annotations

from tests.lab_mistakes_cases import REFERENCE, with_function

from .conftest import SHOTS, go_to, settle

FORGOT_N = with_function("def loss(Y, y_hat):\n    return -np.sum(Y * np.log(y_hat))\n")
FINAL = 300_000  # ms: generous bounds on final states, never on how fast this machine trains


def type_into_editor(page, source: str) -> None:
    """Replace the editor's text as a student's keyboard would (select all, paste-like input)."""
    editor = page.frame_locator("iframe[title*='code_editor']").locator(".ace_content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)
    page.get_by_role("heading", name="Write it yourself").click()  # blur: the editor sends its text
    settle(page)


def check(page) -> None:
    page.get_by_role("button", name="Check", exact=True).click()
    settle(page)
    page.get_by_text("checks pass").first.wait_for(timeout=60_000)


def traces(page) -> int:
    """Lines drawn in the first loss chart (Plotly or the light SVG chart)."""
    return page.evaluate(
        """() => { const p = document.querySelector('.js-plotly-plot');
                   if (p && p.data) return p.data.length;
                   const s = document.querySelector('svg polyline, svg path.line');
                   return s ? document.querySelectorAll('svg polyline').length : 0; }"""
    )


def test_a_student_writes_checks_trains_and_finds_the_version_after_a_reload(page):
    go_to(page, "Write it yourself")
    editor = page.frame_locator("iframe[title*='code_editor']")
    editor.get_by_text("def prepend_bias").wait_for(timeout=30_000)  # the skeleton

    type_into_editor(page, FORGOT_N)
    check(page)
    page.get_by_text("The sum is not divided by n").wait_for(timeout=30_000)
    assert page.get_by_role("heading", name="9 of 11 checks pass").is_visible()

    type_into_editor(page, REFERENCE)
    check(page)
    page.get_by_role("heading", name="11 of 11 checks pass").wait_for(timeout=30_000)

    page.get_by_role("button", name="Train with my code").click()
    page.get_by_text("your functions train as the lab's do").wait_for(timeout=FINAL)
    page.get_by_role("button", name="Stop both").and_(page.locator("[disabled]")).wait_for(
        timeout=FINAL
    )  # both runs ended: the final state
    assert traces(page) >= 2
    page.get_by_text("your functions train as the lab's do").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "write-trained.png"))

    page.reload()
    page.get_by_text("Watch a neural network").or_(
        page.get_by_text("Write it yourself")
    ).first.wait_for(timeout=30_000)
    if not page.get_by_role("heading", name="Write it yourself").is_visible():
        go_to(page, "Write it yourself")
    page.get_by_text("Version 2: 11 of 11 checks pass").wait_for(timeout=30_000)
    assert page.get_by_text("Version 1: 9 of 11 checks pass").is_visible()


def test_each_known_mistake_pasted_shows_its_sentence(page):
    from mlcore.check import check_source
    from tests.lab_mistakes_cases import TUNED

    go_to(page, "Write it yourself")
    page.get_by_text("Paste a notebook's cells").click()
    box = page.get_by_role("textbox", name="Your notebook's code").last
    for name, _, code in TUNED:
        source = with_function(code)
        sentence = next(f for f in check_source(source).findings if f.name == name).sentence
        box.fill(source)
        box.blur()
        settle(page)
        page.get_by_role("button", name="Check", exact=True).click()
        settle(page)
        page.get_by_text(sentence[-60:]).first.wait_for(timeout=60_000)  # its own ending
