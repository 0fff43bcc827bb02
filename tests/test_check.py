"""mlcore.check: the reference passes, each known mistake gets its sentence, pastes never trace."""

import json
import subprocess
import sys

import pytest

from mlcore import lab_reference
from mlcore.check import CheckReport, check_source, count_passes, report_lines, skeleton
from mlcore.lab_curves import where_curves_part
from tests.lab_mistakes_cases import REFERENCE, TUNED, with_function
from tests.lab_mistakes_held_out import CORRECT_VARIANTS, HELD_OUT


def finding(report: CheckReport, name: str):
    return next(f for f in report.findings if f.name == name)


def every_sentence(report: CheckReport) -> str:
    return " ".join([report.problem, *report.notes, *(f.sentence for f in report.findings)])


def test_the_reference_passes_every_check():
    report = check_source(REFERENCE)
    assert report.passed, report_lines(report)
    assert len(report.findings) == 11


@pytest.mark.parametrize("code", CORRECT_VARIANTS)
def test_a_correct_variant_written_differently_passes(code):
    report = check_source(with_function(code))
    assert report.passed, report_lines(report)


def test_the_skeleton_says_each_function_is_not_written_yet():
    report = check_source(skeleton())
    assert not report.passed
    for name in ("prepend_bias", "softmax", "forward", "back", "train"):
        assert finding(report, name).mistake == "not_written"
        assert "not written yet" in finding(report, name).sentence


@pytest.mark.parametrize(("name", "key", "code"), TUNED, ids=[f"{n}-{k}" for n, k, _ in TUNED])
def test_each_known_mistake_gets_its_sentence(name, key, code):
    report = check_source(with_function(code))
    found = finding(report, name)
    assert not found.passed
    assert found.mistake == key, found.sentence
    assert "Traceback" not in found.sentence


@pytest.mark.parametrize(("name", "code"), HELD_OUT)
def test_each_held_out_mistake_fails_with_a_sentence(name, code):
    found = finding(check_source(with_function(code)), name)
    assert not found.passed
    assert found.sentence and "Traceback" not in found.sentence


def test_a_wrong_result_shows_input_expected_and_got_as_small_arrays():
    code = "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"
    found = finding(check_source(with_function(code)), "sigmoid")
    assert found.mistake == "sigmoid_sign"
    assert [label for label, _ in found.shown] == ["input", "expected", "got"]
    assert "0.1192" in dict(found.shown)["expected"]  # sigmoid(-2)


def test_a_notebook_paste_is_checked_with_a_sentence_per_skipped_line():
    paste = (
        "!mkdir data\n%matplotlib inline\nimport gdown\nimport matplotlib.pyplot as plt\n"
        "import seaborn as sns\nimport gzip\n"
        "gdown.download('https://example.org/x', 'data/x.gz')\n"
        "def load_images(filename):\n    with gzip.open(filename, 'rb') as f:\n"
        "        return np.frombuffer(f.read(), np.uint8)\n"
        "X_train = load_images('data/train-images-idx3-ubyte.gz')\n"
        "plt.imshow(X_train[0])\n" + REFERENCE + "\nw1, w2 = train(X_train, 1, 2, 3, 4, 5, 6)\n"
    )
    report = check_source(paste)
    assert report.passed, report_lines(report)
    said = every_sentence(report)
    for named in (
        "!mkdir data",
        "%matplotlib inline",
        "imports gdown",
        "imports seaborn",
        "X_train = load_images",
        "calls train()",
    ):
        assert named in said
    assert "Traceback" not in said


def test_a_syntax_error_names_its_line():
    report = check_source("import numpy as np\n\ndef sigmoid(z)\n    return z\n")
    assert report.problem.startswith("Line 3")
    assert not report.findings and not report.passed


def test_a_huge_paste_is_refused_in_a_sentence():
    report = check_source("x = 1\n" * 200_000)
    assert "characters" in report.problem and not report.passed


def test_a_students_helper_and_prints_work_as_in_a_notebook():
    code = (
        "def softmax(logits):\n    print('checking')\n"
        "    return _normalise(np.exp(logits - logits.max(axis=-1, keepdims=True)))\n"
    )
    source = (
        with_function(code) + "\ndef _normalise(e):\n    return e / e.sum(axis=-1, keepdims=True)\n"
    )
    report = check_source(source)
    assert report.passed, report_lines(report)
    assert "checking" in report.printed


def test_an_endless_loop_is_stopped_and_said():
    code = "def sigmoid(z):\n    while True:\n        pass\n"
    found = finding(check_source(with_function(code)), "sigmoid")
    assert found.mistake == "too_slow"


def test_a_function_using_a_failed_one_names_it_first():
    code = "def sigmoid(z):\n    return z\n"
    found = finding(check_source(with_function(code)), "forward")
    assert found.sentence.startswith("forward uses sigmoid, which does not pass yet")


def test_the_report_round_trips_through_json():
    report = check_source(
        with_function("def loss(Y, y_hat):\n    return -np.sum(Y * np.log(y_hat))\n")
    )
    again = CheckReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report


def run_cli(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "mlcore.check", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_cli_exit_status_says_pass_fail_or_unreadable(tmp_path):
    good = tmp_path / "good.py"
    good.write_text(REFERENCE)
    bad = tmp_path / "bad.py"
    bad.write_text(skeleton())
    assert run_cli(str(good)).returncode == 0
    failed = run_cli(str(bad))
    assert failed.returncode == 1 and "not written yet" in failed.stdout
    assert run_cli(str(tmp_path / "missing.py")).returncode == 2


def test_the_cli_json_contract_reads_stdin_and_writes_the_report():
    done = run_cli("--json", "-", stdin=REFERENCE)
    assert done.returncode == 0
    assert CheckReport.from_dict(json.loads(done.stdout)).passed


def test_the_cli_prints_the_same_sentences_as_the_report():
    source = with_function("def loss(Y, y_hat):\n    return -np.sum(Y * np.log(y_hat))\n")
    assert finding(check_source(source), "loss").sentence in run_cli("-", stdin=source).stdout


def test_curves_that_agree_do_not_part():
    assert where_curves_part([2.3, 1.5, 1.0], [2.3, 1.5 + 1e-12, 1.0], rtol=1e-6) is None


def test_curves_part_at_the_first_iteration_beyond_the_tolerance():
    assert where_curves_part([2.3, 1.5, 1.0, 0.8], [2.3, 1.5, 1.1, 0.5], rtol=1e-3) == (
        2,
        pytest.approx(0.1),
    )


def test_a_nan_parts_the_curves():
    assert where_curves_part([2.3, 1.5], [2.3, float("nan")], rtol=1e-3)[0] == 1


def test_the_reference_module_is_the_lab_written_in_float64():
    assert lab_reference.initialize_weights(3, 2, 2)[0].dtype.name == "float64"


def test_passes_are_counted_per_function_across_students():
    good = check_source(REFERENCE)
    bad = check_source(
        with_function("def loss(Y, y_hat):\n    return -np.sum(Y * np.log(y_hat))\n")
    )
    counts = count_passes([good, bad])
    assert counts["loss"] == (1, 2) and counts["sigmoid"] == (2, 2)


def test_the_gradient_check_differentiates_their_own_loss():
    loss_sum = "def loss(Y, y_hat):\n    return -np.sum(Y * np.log(y_hat))\n"
    back_sum = (
        "def back(X, Y, y_hat, w2, h):\n"
        "    w2_gradient = np.matmul(prepend_bias(h).T, (y_hat - Y))\n"
        "    d = np.matmul(y_hat - Y, w2[1:].T) * sigmoid_gradient(h)\n"
        "    return (np.matmul(prepend_bias(X).T, d), w2_gradient)\n"
    )
    only_loss = check_source(with_function(loss_sum))
    assert finding(only_loss, "gradient check").mistake == "gradient_mismatch"
    both = check_source(with_function(back_sum, with_function(loss_sum)))
    assert not finding(both, "loss").passed and not finding(both, "back").passed
    assert finding(both, "gradient check").passed  # back is the gradient of their loss


def test_a_slow_function_everywhere_runs_out_the_checks_budget_not_the_sandboxes():
    code = "def sigmoid(z):\n    while True:\n        pass\n"
    mistakes = {f.mistake for f in check_source(with_function(code)).findings}
    assert {"too_slow", "out_of_time"} <= mistakes  # 2 s per call, 6 s in all: before the 10 s


@pytest.mark.parametrize(
    "kept",
    [{"findings": [1]}, {"findings": [{"name": "sigmoid"}]}, {"notes": "abc"}, [], {"x": 1},
     {"findings": [{"name": "[a](http://e.x)", "passed": True}]}, {"seconds": "1"}],
)  # fmt: skip
def test_a_kept_report_of_another_shape_is_read_as_a_problem_never_raised(kept):
    report = CheckReport.from_dict(kept)
    assert report.problem and not report.findings and not report.passed


def test_every_real_report_has_the_schemas_shape():
    from mlcore import check_schema

    for code in (REFERENCE, skeleton(), "import gdown\n!mkdir data\n" + REFERENCE):
        report = json.loads(json.dumps(check_source(code).to_dict()))
        check_schema.validate(report)
        assert CheckReport.from_dict(report) == check_source(code).__class__.from_dict(report)
