"""The Draw page through AppTest, with the canvas's result stood in for (AppTest cannot draw)."""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import pytest

from mlcore.digit_check import DOUBT, UNLIKE

from .brush import brush, centre_line, glyph
from .drawing import draw
from .nondigits import WOBBLY_BEFORE, family
from .test_pages import open_page, texts

PAGE = "pages/draw.py"
TWO_DOTS = [[(0.2, 0.3), (0.21, 0.3)], [(0.75, 0.7), (0.76, 0.7)]]


class Drawn:
    """What st_canvas returns after strokes: the image and one object per stroke."""

    def __init__(self, strokes):
        self.image_data = draw(strokes)
        self.json_data = {"objects": [{"type": "path"} for _ in strokes]}


@pytest.fixture
def canvas_shows(monkeypatch):
    """canvas_shows(strokes): the page's canvas returns that drawing from now on."""
    open_page(PAGE)  # the component registers itself only inside a Streamlit run
    component = sys.modules["streamlit_drawable_canvas"]

    def show(strokes):
        monkeypatch.setattr(component, "st_canvas", lambda **_: Drawn(strokes))

    return show


def test_a_drawn_digit_is_read_and_its_strokes_can_be_undone_without_hovering(canvas_shows):
    canvas_shows("7")
    at = open_page(PAGE)
    assert at.metric[0].label == "Prediction" and at.metric[0].value == "7"
    assert not at.button(key="undo_stroke").disabled  # a page button: no hover needed
    assert "clear_canvas" in {b.key for b in at.button}


def test_two_dots_are_not_called_a_digit(canvas_shows):
    canvas_shows(TWO_DOTS)
    at = open_page(PAGE)
    assert not at.metric  # no "1 · 98%"
    warning = at.warning[0].value
    assert warning.startswith(DOUBT) and "2 separate pieces" in warning
    assert "would still answer" in warning  # what the softmax says anyway, as such


def test_undo_is_offered_only_with_a_stroke_to_undo():
    at = open_page(PAGE)
    assert at.button(key="undo_stroke").disabled


def test_draw_captions_name_the_charts_not_their_place(canvas_shows):
    canvas_shows("7")
    at = open_page(PAGE)
    shown = texts(at)
    assert "Right:" not in shown and "(left)" not in shown
    assert "hover" not in shown or "without hovering" in shown


def test_the_app_hides_plotlys_toolbar_on_a_touch_screen():
    """app.py runs before every page: its style holds for every chart (AppTest keeps the
    router's own elements only on the first run, so the check is there)."""
    styles = [e.proto.body for e in open_page().get("html")]
    assert any("hover: none" in s and ".modebar-container" in s for s in styles), styles


@pytest.mark.parametrize("strokes", ["7", TWO_DOTS])
def test_the_text_and_the_bar_show_the_predicted_probability_alike(canvas_shows, strokes):
    """Issue 19: the text said 31.12% while its bar said 31.1%: one format for one quantity."""
    canvas_shows(strokes)
    at = open_page(PAGE)
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    digit = max(range(10), key=lambda d: float(bars["text"][d].lstrip("> <").rstrip("%")))
    said = at.metric[0].delta if at.metric else at.warning[0].value
    assert bars["text"][digit] in said


def test_the_canvas_leaves_room_above_it_for_its_toolbar():
    """Issue 19: the canvas's hover toolbar, drawn above its top edge, covered the label of
    "Use a model file" just above it."""
    at = open_page(PAGE)
    column = next(
        c for row in at.main.children.values() for c in getattr(row, "children", {}).values()
        if any(e.type == "bidi_component" for e in c.children.values())
    )  # fmt: skip
    elements = list(column.children.values())
    before = elements[[e.type for e in elements].index("bidi_component") - 1]
    assert before.type == "space" and before.size in ("small", "medium", "large")


def test_a_typed_letter_a_is_not_called_a_digit(monkeypatch):
    """Issue 26: A was read as "2" at 84.6% (the default model: 4 at 96%)."""
    open_page(PAGE)
    letter = brush(centre_line(glyph("A", None)), (0.2, 0.15, 0.8, 0.85), 26)
    drawn = SimpleNamespace(image_data=letter, json_data={"objects": [{"type": "path"}]})
    monkeypatch.setattr(sys.modules["streamlit_drawable_canvas"], "st_canvas", lambda **_: drawn)
    at = open_page(PAGE)
    assert not at.metric
    assert at.warning[0].value.startswith(DOUBT) and "none of the ten" in at.warning[0].value


def test_a_random_walk_the_steadiness_check_once_caught_is_doubted_by_the_network_alone(
    monkeypatch,
):
    """The page's detector before the convolutional one let this build random walk through
    and needed the default model's steadiness (bench/steadiness.py unsteady_score); the page
    now asks the convolutional detector alone, and it names it."""
    open_page(PAGE)
    name, i = WOBBLY_BEFORE
    drawn = SimpleNamespace(
        image_data=family(name, i + 1, seed=5)[i], json_data={"objects": [{"type": "path"}]}
    )
    monkeypatch.setattr(sys.modules["streamlit_drawable_canvas"], "st_canvas", lambda **_: drawn)
    at = open_page(PAGE)
    assert not at.metric
    warning = at.warning[0].value
    assert warning.startswith(DOUBT) and UNLIKE in warning
