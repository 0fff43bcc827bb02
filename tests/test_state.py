"""ui.state's runs table, with stand-in runs (only the fields run_row reads)."""

from types import SimpleNamespace

from mlcore.train import Progress, TrainConfig
from ui.run_rows import row as run_row


def table_run(kind="train", history=(), test=None, range_test=None, **settings):
    return SimpleNamespace(id="ab12", kind=kind, status="finished", config=TrainConfig(**settings),
                           history=list(history), latest_test_accuracy=test,
                           range_test=range_test)  # fmt: skip


def test_the_range_test_shows_as_a_range_test_with_its_suggestion_not_none_cells():
    """Issue 19: it showed as "0/1 finished None None None"."""
    result = SimpleNamespace(suggestion=0.1732, rates=[1e-4, 10.0])
    row = run_row(table_run("range", range_test=result))
    assert row["done"] == "range test" and row["status"] == "finished · suggests 0.17"
    assert row["learning rate"] == "0.0001 to 10"  # the rates it swept
    assert None not in row.values() and "None" not in map(str, row.values())


def test_a_run_row_writes_numbers_as_a_person_does_and_names_softmax_and_precision():
    last = Progress(iteration=2.80064, batch=3, train_loss=0.123456, train_accuracy=0.9,
                    test_accuracy=0.9601, elapsed=12.34, learning_rate=0.05)  # fmt: skip
    row = run_row(table_run(history=[last], test=0.9601, iterations=30, softmax="naive",
                            dtype="float64"))  # fmt: skip
    assert row["done"] == "2.8 of 30 passes" and row["test accuracy"] == "96.01%"
    assert row["softmax"] == "naive" and row["precision"] == "float64"
    assert run_row(table_run())["test accuracy"] == "–"  # nothing measured yet


def test_the_runs_table_shows_what_a_run_reached_before_its_settings():
    """Issue 19: on a narrow screen the accuracy, 13th of 15 columns, was out of view."""
    columns = list(run_row(table_run(test=0.9601)))
    assert columns[:4] == ["run", "status", "test accuracy", "done"]
