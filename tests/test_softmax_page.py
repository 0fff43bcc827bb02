"""The Softmax page through AppTest: typed logits read honestly, rows kept, edits kept per preset.

The logits editor is driven as the browser drives it: its edit state (edited_rows, added_rows,
deleted_rows) is assigned to its key before a run.
"""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from mlcore.numerics import MAX_ROWS
from ui.paste import KEEP_ROWS

from .test_pages import open_page, softmax_tables

LAB = "a = [[0.3, 0.8, 0.2], [0.1, 0.9, 0.1]] (the lab)"
EDITOR = "softmax_logits_0_0"  # the lab preset's editor, before any reset


def edit(at: AppTest, key: str = EDITOR, edited=None, added=None, deleted=None) -> None:
    at.session_state[key] = {
        "edited_rows": edited or {},
        "added_rows": added or [],
        "deleted_rows": deleted or [],
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def alerts(at: AppTest, kind: str) -> list[str]:
    """Each alert's text, unescaped; an alert listing items ("- …" lines): each item."""
    found = []
    for e in at.get(kind):
        text = e.value.replace("\\", "")
        items = [line[2:] for line in text.splitlines() if line.startswith("- ")]
        found += items or [text]
    return found


def test_one_incomplete_row_leaves_the_complete_rows_computed_and_names_it():
    at = open_page("pages/softmax.py")
    edit(at, added=[{"class 0": "5"}])  # a new row with one cell typed
    assert "row 3 is left out (class 1, class 2 empty)" in alerts(at, "warning")
    stable = at.dataframe[3].value
    assert list(stable.index) == ["row 1", "row 2"]
    np.testing.assert_allclose(stable.to_numpy(float)[0], [0.28140804, 0.46396343, 0.25462853])


def test_the_empty_row_enter_adds_at_the_end_is_not_warned_about():
    at = open_page("pages/softmax.py")
    edit(at, added=[{}])  # Enter in the last cell: a new, empty row
    assert not alerts(at, "warning"), alerts(at, "warning")
    edit(at, added=[{}, {"class 0": "1", "class 1": "2", "class 2": "3"}])  # not at the end
    assert "row 3 is empty: left out" in alerts(at, "warning")


def test_typed_text_is_read_with_its_true_value_or_refused_naming_the_cell():
    at = open_page("pages/softmax.py")
    edit(at, edited={0: {"class 1": "1e400"}, 1: {"class 2": "abc"}})
    assert "row 1, class 1: 1e400 is beyond float64: it is inf" in alerts(at, "info")
    warnings = alerts(at, "warning")
    assert any(w.startswith("row 2, class 2: 'abc' is not a number") for w in warnings)
    tables = softmax_tables(at)
    assert np.isinf(tables["naive_exp"][0, 1])  # exp(inf), not exp(1400) nor exp(0)
    assert np.isnan(tables["naive"][0, 1])
    assert len(tables["naive"]) == 1  # row 2 is left out, not computed with abc = 0


def test_typed_markdown_is_shown_as_typed():
    at = open_page("pages/softmax.py")
    edit(at, edited={0: {"class 0": "*1*"}})
    assert any("'\\*1\\*' is not a number" in w.value for w in at.warning)


def test_edits_are_kept_per_preset_and_reset_brings_the_preset_back():
    at = open_page("pages/softmax.py")
    edit(at, deleted=[0, 1])
    assert "No row to compute" in " ".join(alerts(at, "info"))
    at.radio(key="softmax_preset").set_value("b = [1, 20]").run()
    assert softmax_tables(at)["stable"].shape == (1, 2)
    at.radio(key="softmax_preset").set_value(LAB).run()
    assert at.dataframe[0].value.empty and "No row to compute" in " ".join(alerts(at, "info"))
    at.button(key="softmax_reset").click().run()
    assert at.dataframe[0].value.to_numpy(float).tolist() == [[0.3, 0.8, 0.2], [0.1, 0.9, 0.1]]
    assert softmax_tables(at)["stable"].shape == (2, 3)


def test_edits_survive_a_visit_to_another_page():
    at = open_page("pages/softmax.py")
    edit(at, edited={0: {"class 0": "1000"}})
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/softmax.py").run()
    assert at.dataframe[0].value.iloc[0, 0] == "1000"
    assert np.isnan(softmax_tables(at)["naive"][0, 0])  # exp(1000) = inf, inf / inf = nan


def every_alert(at: AppTest) -> list[str]:
    return [e.value for kind in ("info", "success", "warning", "error") for e in at.get(kind)]


def test_a_paste_of_20000_rows_gives_a_few_grouped_alerts_and_a_bounded_table():
    at = open_page("pages/softmax.py")
    pasted = [{"class 0": "1e400", "class 1": "abc" if i % 2 else "1", "class 2": "0"}
              for i in range(20_000)]  # fmt: skip
    edit(at, added=pasted)
    assert len(every_alert(at)) <= 8  # was one per row and cell: 20,003
    warning = alerts(at, "warning")
    assert f"only the first {MAX_ROWS} complete rows are computed" in warning[0]
    assert warning[-1].startswith("… and ")
    assert len(softmax_tables(at)["naive"]) == MAX_ROWS
    assert "a table of 20,002 rows: the table keeps its first 1,000" in " ".join(alerts(at, "info"))
    assert len(at.dataframe[0].value) == KEEP_ROWS  # the editor, mounted anew on what is kept


def test_a_200000_character_cell_is_echoed_cut():
    at = open_page("pages/softmax.py")
    edit(at, edited={0: {"class 0": "1" + "0" * 200_000}, 1: {"class 1": "x" * 200_000}})
    shown = [len(text) for text in every_alert(at)]
    assert shown and max(shown) < 1_000
    assert "200,001 characters" in " ".join(alerts(at, "info"))  # 1e200000 is inf: said short


def test_a_nan_logit_says_nothing_saves_it_on_both_sides_not_no_warnings():
    at = open_page("pages/softmax.py")
    edit(at, edited={1: {"class 0": "nan"}})
    assert not any("No floating-point warnings" in text for text in alerts(at, "success"))
    said = [text for text in alerts(at, "error") if "nothing saves a nan" in text]
    assert len(said) == 2 and said[0].startswith("row 2:")


def test_the_logit_editor_leaves_room_above_it_for_its_toolbar():
    """Issue 19: the data editor's hover toolbar covered the last logit choices above it."""
    at = open_page("pages/softmax.py")
    elements = list(at.main.children.values())
    types = [e.type for e in elements]
    editor_row = next(
        i for i, e in enumerate(elements)
        if any(c.type == "dataframe" for col in getattr(e, "children", {}).values()
               for c in getattr(col, "children", {}).values())
    )  # fmt: skip
    assert types.index("radio") < editor_row
    room = elements[editor_row - 1]
    assert room.type == "space" and room.size in ("small", "medium", "large")
