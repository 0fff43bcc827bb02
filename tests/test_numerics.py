import numpy as np
import pytest

from mlcore.network import forward, init_params, logit_gradient
from mlcore.numerics import (
    MAX_ROWS,
    breaking_point,
    compare_softmax,
    nan_rows,
    overflow_limit,
    parse_logit,
    parse_logit_table,
)


def test_overflow_limits_are_about_88_7_and_709_8():
    assert overflow_limit(np.float32) == pytest.approx(88.72, abs=0.01)
    assert overflow_limit(np.float64) == pytest.approx(709.78, abs=0.01)


def test_comparison_of_lab_c_shows_nan_naive_and_exact_stable_with_warnings():
    result = compare_softmax([1, 1000])
    assert np.isnan(result.naive).any()
    np.testing.assert_array_equal(result.stable, [[0.0, 1.0]])
    assert np.isinf(result.naive_exp[0, 1])
    assert result.stable_exp[0, 1] == 1.0
    assert any("overflow" in w for w in result.warnings)
    assert any("invalid value" in w for w in result.warnings)


def test_float32_breaks_where_float64_does_not():
    assert np.isnan(compare_softmax([[1, 100]], np.float32).naive).any()
    assert not np.isnan(compare_softmax([[1, 100]], np.float64).naive).any()
    assert compare_softmax([[1, 100]], np.float64).warnings == ()


def test_breaking_point_naive_fails_just_past_the_limit_stable_never():
    limit = overflow_limit(np.float64)
    curve = breaking_point(np.array([10.0, limit - 1, limit + 1, 1000.0]))
    assert np.isfinite(curve["p_top_naive"][:2]).all()
    assert np.isnan(curve["p_top_naive"][2:]).all()
    m = np.array([10.0, limit - 1, limit + 1, 1000.0])
    np.testing.assert_allclose(curve["loss_stable"], m + np.log1p(np.exp(-m)))
    assert np.isinf(curve["loss_naive"][2:]).all()
    np.testing.assert_allclose(curve["p_top_stable"][2:], 1.0)


def test_logit_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    params = init_params(rng, 7, dtype=np.float64, n_inputs=5)
    x = rng.standard_normal(5)
    grad = logit_gradient(params, x, 3)
    eps = 1e-6
    numeric = [
        (forward(params, x + eps * e).logits[3] - forward(params, x - eps * e).logits[3])
        / (2 * eps)
        for e in np.eye(5)
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-10)


def test_stable_softmax_warns_only_for_infinite_logits():
    assert compare_softmax([[1, 1000]]).stable_warnings == ()
    result = compare_softmax([[1, np.inf]])
    assert any("invalid value" in w for w in result.stable_warnings)
    assert np.isnan(result.stable).any()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2.5", 2.5),
        (" -1e-5 ", -1e-5),
        ("1e400", np.inf),
        ("-1E400", -np.inf),
        ("inf", np.inf),
        ("-inf", -np.inf),
        ("−3", -3.0),  # U+2212, as the page itself writes a minus
        ("∞", np.inf),
        ("1e-400", 0.0),
        ("1_000", 1000.0),
    ],
)
def test_parse_logit_gives_the_true_float64_value_of_what_a_student_types(text, value):
    assert parse_logit(text) == value


def test_parse_logit_reads_nan_as_nan():
    assert np.isnan(parse_logit("nan")) and np.isnan(parse_logit("NaN"))


@pytest.mark.parametrize(("text", "why"), [("abc", "not a number"), ("3,5", "with a point")])
def test_parse_logit_refuses_text_it_cannot_read_naming_it(text, why):
    with pytest.raises(ValueError, match=f"'{text}' is not a number.*") as e:
        parse_logit(text)
    assert why in str(e.value)


def test_logit_table_keeps_the_complete_rows_and_names_each_left_out_row():
    table = parse_logit_table(
        [["1", "2"], ["3", None], [None, ""], ["abc", "4"], ["5", "6"]], factor=2.0
    )
    np.testing.assert_array_equal(table.values, [[2.0, 4.0], [10.0, 12.0]])
    assert table.rows == (0, 4)
    assert table.problems == (
        "row 2 is left out (class 1 empty)",
        "row 3 is empty: left out",
        "row 4, class 0: 'abc' is not a number (try 2.5, -1e-5, 1e400, inf or nan)",
        "row 4 is left out (a cell is not a number)",
    )
    assert table.notes == ()


def test_logit_table_says_when_a_value_is_not_what_was_typed():
    typed = [["1e400", "1e-400", "inf", "0.0"]]
    assert parse_logit_table(typed).notes == (
        "row 1, class 0: 1e400 is beyond float64: it is inf",
        "row 1, class 1: 1e-400 is too small for float64: it is 0",
    )
    table = parse_logit_table([["1e39", "1"]], dtype=np.float32)
    assert table.values.dtype == np.float32 and np.isinf(table.values[0, 0])
    assert table.notes == ("row 1, class 0: 1e39 is beyond float32: it is inf",)
    assert parse_logit_table([["1e306"]], factor=1000.0).notes == (
        "row 1, class 0: 1e306 × 1000 is beyond float64: it is inf",
    )


def test_an_empty_logit_table_has_no_rows():
    table = parse_logit_table([])
    assert table.rows == () and table.values.shape == (0, 0)


def test_a_logit_table_computes_at_most_max_rows_and_says_how_many_were_left_out():
    table = parse_logit_table([["1", "2"]] * (MAX_ROWS + 250))
    assert table.values.shape == (MAX_ROWS, 2) and table.rows[-1] == MAX_ROWS - 1
    assert table.problems == (
        f"only the first {MAX_ROWS} complete rows are computed: the 250 rows from row "
        f"{MAX_ROWS + 1} on are left out",
    )


def test_a_long_cell_is_echoed_cut_with_its_length():
    table = parse_logit_table([["x" * 200_000, "1" + "0" * 200_000]])
    assert all(len(text) < 300 for text in table.problems + table.notes)
    assert "(200,000 characters)" in table.problems[0]
    assert "200,001 characters" in table.notes[0]


def test_nan_rows_are_the_rows_holding_a_nan():
    assert nan_rows(np.array([[0.0, 1.0], [np.nan, 1.0], [np.inf, 2.0]])) == (1,)


def test_one_row_left_out_is_said_in_the_singular():
    table = parse_logit_table([["1", "2"]] * (MAX_ROWS + 1))
    assert table.problems[0].endswith(f"the 1 row from row {MAX_ROWS + 1} on is left out")
