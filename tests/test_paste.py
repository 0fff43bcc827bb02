"""A big paste applied at once, as Streamlit's data editor would apply it row by row."""

import pandas as pd

from ui.paste import KEEP_ROWS, edits_applied, is_big_paste


def test_edits_are_applied_in_streamlits_order_and_the_table_cut_to_keep_rows():
    base = pd.DataFrame([["1", "2"], ["3", "4"]], columns=["a", "b"], dtype=object)
    state = {
        "edited_rows": {1: {"a": "9"}},
        "deleted_rows": [0],
        "added_rows": [{"a": str(i), "b": "x"} for i in range(KEEP_ROWS + 5)],
    }
    table, total = edits_applied(base, state)
    assert total == KEEP_ROWS + 6 and len(table) == KEEP_ROWS
    assert table.iloc[0].tolist() == ["9", "4"] and table.iloc[1].tolist() == ["0", "x"]
    assert base.iloc[1, 0] == "3"  # the kept table is not changed under the editor


def test_only_a_paste_of_many_rows_is_big():
    assert is_big_paste({"added_rows": [{}] * 500})
    assert not is_big_paste({"added_rows": [{}]}) and not is_big_paste(None)
