import numpy as np
import pytest

from mlcore import inspection as ins
from mlcore.model import load_model
from mlcore.network import Params, forward, init_params
from tests.conftest import ROOT


def tiny_params(hidden=3, n_inputs=784, seed=0, dtype=np.float64):
    return init_params(np.random.default_rng(seed), hidden, dtype=dtype, n_inputs=n_inputs)


def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    counts = ins.confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 2, 0]))
    assert counts.shape == (10, 10) and counts.sum() == 6
    assert counts[0, 0] == 1 and counts[0, 1] == 1 and counts[1, 1] == 1
    assert counts[2, 2] == 2 and counts[2, 0] == 1
    acc = ins.per_digit_accuracy(counts)
    np.testing.assert_allclose(acc[:3], [0.5, 1.0, 2 / 3])
    assert np.isnan(acc[3])  # no images of 3


def test_normalise_rows_gives_shares_of_each_true_digit_and_zero_for_an_empty_row():
    counts = np.zeros((10, 10), np.int64)
    counts[0, 0], counts[0, 3], counts[1, 1] = 3, 1, 5
    shares = ins.normalise_rows(counts)
    np.testing.assert_allclose(shares[0, [0, 3]], [0.75, 0.25])
    assert shares[1, 1] == 1.0 and shares[2].sum() == 0.0


def test_activation_histogram_puts_sigmoid_of_z_in_twenty_bins_of_0_to_1():
    counts = ins.activation_histogram(np.array([-100.0, 0.0, 0.01, 100.0]))
    assert counts.shape == (20,) and counts.sum() == 4
    assert counts[0] == 1 and counts[10] == 2 and counts[19] == 1  # sigma(0) = 0.5: bin 10


def test_mistakes_are_ordered_by_confidence_in_the_wrong_answer_and_filter_a_pair():
    proba = np.full((4, 10), 0.01)
    proba[0, 3], proba[1, 5], proba[2, 3], proba[3, 7] = 0.6, 0.9, 0.8, 0.95
    y = np.array([1, 5, 1, 2])  # row 1 is right; rows 0, 2, 3 are mistakes
    m = ins.mistakes(proba, y)
    assert m.index.tolist() == [3, 2, 0]
    assert m.true.tolist() == [2, 1, 1] and m.predicted.tolist() == [7, 3, 3]
    np.testing.assert_allclose(m.probability, [0.95, 0.8, 0.6])
    assert ins.mistakes(proba, y, true=1, predicted=3).index.tolist() == [2, 0]
    assert ins.mistakes(proba, y, true=5).index.size == 0


def test_hidden_unit_images_are_w1_columns_as_28_by_28_in_the_given_order():
    w1 = np.arange(784 * 3, dtype=float).reshape(784, 3)
    images = ins.hidden_unit_images(w1)
    assert images.shape == (3, 28, 28)
    assert images[1, 0, 1] == w1[1, 1] and images[2, 27, 27] == w1[783, 2]
    w2 = np.zeros((3, 10))
    w2[0, 0], w2[1, :2], w2[2, 0] = 1.0, [3.0, 4.0], 2.0
    np.testing.assert_allclose(ins.outgoing_weight_size(w2), [1, 5, 2])
    order = np.argsort(-ins.outgoing_weight_size(w2))
    np.testing.assert_array_equal(ins.hidden_unit_images(w1, order)[0], images[1])


def test_saturation_share_slope_and_histogram_on_hand_made_z():
    z = np.array([[0.0, 10.0], [-10.0, 1.0]])  # two of four beyond ln 99 ≈ 4.6
    assert ins.saturated_share(z) == 0.5
    np.testing.assert_allclose(ins.unit_saturation(z), [0.5, 0.5])
    s1 = 1 / (1 + np.exp(-1.0))
    expected = (0.25 + 2 * (1 / (1 + np.exp(-10)) * (1 / (1 + np.exp(10)))) + s1 * (1 - s1)) / 4
    assert ins.mean_sigmoid_slope(z) == pytest.approx(expected)
    counts = ins.z_histogram(np.array([-100.0, 0.1, 0.2, 100.0]))
    assert counts.sum() == 4 and counts[0] == 1 and counts[-1] == 1 and counts[40] == 2


def test_distinct_units_counts_identical_columns_once():
    w1 = np.zeros((784, 5))
    b1 = np.zeros(5)
    assert ins.distinct_units(w1, b1) == 1  # all-zero: perfect symmetry
    w1[:, 1] = 1.0
    w1[:, 2] = 1.0 + 1e-9  # within the tolerance of unit 1
    w1[:, 3] = 2.0
    b1[4] = 0.5  # differs only in its bias
    assert ins.distinct_units(w1, b1) == 4
    rng = np.random.default_rng(0)
    assert ins.distinct_units(rng.standard_normal((784, 300)), rng.standard_normal(300)) == 300


def test_gradient_norms_are_l2_norms_per_array():
    g = Params(np.full((784, 2), 0.5), np.array([3.0, 4.0]), np.zeros((2, 10)), np.ones(10))
    norms = ins.gradient_norms(g)
    assert norms == pytest.approx(
        {"w1": np.sqrt(784 * 2) * 0.5, "b1": 5, "w2": 0, "b2": np.sqrt(10)}
    )


def test_probe_rows_depend_only_on_the_seed_and_leave_other_generators_alone():
    rng = np.random.default_rng(712)
    before = rng.bit_generator.state
    a = ins.probe_rows(60000, 712)
    assert rng.bit_generator.state == before
    assert len(a) == ins.PROBE_ROWS and np.all(np.diff(a) > 0)
    np.testing.assert_array_equal(a, ins.probe_rows(60000, 712))
    assert not np.array_equal(a, ins.probe_rows(60000, 713))
    assert len(ins.probe_rows(100, 1)) == 100


def test_probe_stats_report_the_largest_absolute_logit():
    p = tiny_params()
    X = np.random.default_rng(1).standard_normal((7, 784))
    stats = ins.probe_stats(p, X)
    assert stats.max_abs_logit == pytest.approx(np.abs(forward(p, X).logits).max())
    assert 0 < stats.sigmoid_slope <= 0.25


def test_step_change_reports_loss_before_and_after_and_update_norms():
    before = tiny_params()
    after = before.copy()
    after.b2[0] += 3.0
    after.b2[1] -= 4.0
    X = np.random.default_rng(2).standard_normal((5, 784))
    y = np.zeros(5, int)
    change = ins.step_change(before, after, X, y)
    assert change.update_norms == pytest.approx({"w1": 0, "b1": 0, "w2": 0, "b2": 5})
    assert change.loss_after < change.loss_before  # digit 0 got more likely


def test_gradient_check_passes_on_the_default_model(full_mnist):
    model = load_model(ROOT / "models" / "default.npz")
    X = model.scaling.apply(full_mnist.X_test[:50], np.float64)
    rows = ins.gradient_check(model.params, X, full_mnist.y_test[:50], k=5)
    assert [r.name for r in rows] == ["w1"] * 5 + ["b1"] * 5 + ["w2"] * 5 + ["b2"] * 5
    assert max(r.relative_error for r in rows) < 1e-6


@pytest.mark.parametrize("seed", range(20))
def test_gradient_check_passes_a_correct_backprop_on_gradients_near_zero(sample_mnist, seed):
    # The bundled sample, 16 images as the Inside page checks: b1 gradients of ~3e-7 that
    # finite differences measure only to ~1e-11 (relative errors up to 4.7e-5 before the floor).
    model = load_model(ROOT / "models" / "default.npz")
    X = model.scaling.apply(sample_mnist.X_test[:16], np.float64)
    rows = ins.gradient_check(model.params, X, sample_mnist.y_test[:16], seed=seed)
    assert max(r.relative_error for r in rows) < 1e-6


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    p = tiny_params(n_inputs=784)
    X = np.random.default_rng(3).standard_normal((4, 784))
    y = np.array([0, 1, 2, 3])
    good = ins.backward

    def doubled(*args):
        g = good(*args)
        return Params(g.w1, g.b1, g.w2 * 2, g.b2)

    monkeypatch.setattr(ins, "backward", doubled)
    rows = ins.gradient_check(p, X, y, k=3)
    assert all(r.relative_error > 0.3 for r in rows if r.name == "w2")
    assert all(r.relative_error < 1e-6 for r in rows if r.name != "w2")


@pytest.mark.parametrize("bug", ["b1 x 1.01", "b1 zero"])
def test_gradient_check_catches_a_wrong_gradient_that_is_small(sample_mnist, monkeypatch, bug):
    # b1's gradients are down to ~3e-7 here, below SMALLEST_SCALE: the floor must not hide them
    model = load_model(ROOT / "models" / "default.npz")
    X = model.scaling.apply(sample_mnist.X_test[:16], np.float64)
    good = ins.backward

    def wrong(*args):
        g = good(*args)
        return Params(g.w1, g.b1 * 1.01 if bug == "b1 x 1.01" else g.b1 * 0, g.w2, g.b2)

    monkeypatch.setattr(ins, "backward", wrong)
    rows = ins.gradient_check(model.params, X, sample_mnist.y_test[:16], k=20)
    b1 = [r for r in rows if r.name == "b1"]
    assert min(abs(r.analytic) + abs(r.numerical) for r in b1) < 1e-5  # small ones checked
    assert min(r.relative_error for r in b1) > 1e-6  # the Inside page's TOLERANCE: all caught


def test_one_image_pass_shows_softmax_loss_and_the_largest_backward_entries():
    p = tiny_params(hidden=4)
    x = np.random.default_rng(4).standard_normal(784)
    one = ins.one_image_pass(p, x, label=2, top=3)
    np.testing.assert_allclose(one.softmax.sum(), 1.0)
    assert one.loss == pytest.approx(-np.log(one.softmax[2]))
    expected = one.softmax.copy()
    expected[2] -= 1
    np.testing.assert_allclose(one.d_logits, expected)
    assert len(one.top_units) == 3 and np.all(np.diff(np.abs(one.top_dz1)) <= 0)
    assert [abs(g) for _, _, g in one.top_weights] == sorted(
        (abs(g) for _, _, g in one.top_weights), reverse=True
    )
    name, (i, j), g = one.top_weights[0]
    dz1 = (p.w2 @ one.d_logits) * one.h * (1 - one.h)
    assert g == pytest.approx(x[i] * dz1[j] if name == "w1" else one.h[i] * one.d_logits[j])
