"""Runs with names: a student names a run and hides runs from the charts (Train page)."""

from __future__ import annotations

import json

from ui.workspace import new_token

from .test_pages import current_run, open_train_link, wait_for_run

TINY = {"hidden_size": "10", "batch_size": "1024", "iterations": "1"}  # seconds on full MNIST


def two_finished_runs():
    at = open_train_link(new_token(), **TINY)
    at.button(key="start").click().run()
    wait_for_run(at)
    first = current_run(at).id
    at.select_slider(key="learning_rate").set_value(0.5).run()
    at.button(key="start").click().run()
    wait_for_run(at)
    return at, first, current_run(at).id


def save(at, run_id: str, name: str | None = None, hide: bool | None = None) -> None:
    at.selectbox(key="run_names_choice").set_value(run_id).run()
    if name is not None:
        at.text_input(key=f"run_name_{run_id}").input(name)
    if hide is not None:
        at.checkbox(key=f"run_hidden_{run_id}").set_value(hide)
    at.button(key="run_names_save").click().run()
    assert not at.exception, [e.value for e in at.exception]


def legend(at) -> list[str]:
    return [t["name"] for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]]


def test_a_named_run_leads_the_table_and_the_legend_with_its_name(full_mnist):
    at, first, second = two_finished_runs()
    save(at, second, name="<b>ana's</b> fast one")
    rows = at.dataframe[0].value.to_dict("records")
    assert rows[0]["name"] == "<b>ana's</b> fast one" and rows[0]["run"] == second
    columns = list(rows[0])
    assert columns[0] == "name" and columns[-1] == "run"  # the id last
    at.multiselect[0].set_value([first]).run()  # the first run overlaid
    names = legend(at)
    assert names[0] == "&lt;b&gt;ana's&lt;/b&gt; fast one · lr=0.5"  # plain: Plotly reads tags
    assert names[1] == "lr=0.05" and not any(first in n or second in n for n in names)


def test_a_hidden_run_is_left_out_of_the_runs_to_overlay_but_kept_in_the_table(full_mnist):
    at, first, second = two_finished_runs()
    assert at.multiselect[0].options == [at.multiselect[0].format_func(first)]
    save(at, first, hide=True)
    assert at.multiselect[0].options == []
    assert {r["run"]: r["charts"] for r in at.dataframe[0].value.to_dict("records")} == {
        second: "shown",
        first: "hidden",
    }
    assert f"run {first} is hidden from the charts" in at.success[-1].value


def test_a_blank_looking_name_is_refused_with_a_sentence(full_mnist):
    at, _, second = two_finished_runs()
    save(at, second, name="   ")
    assert "Not saved: a run's name cannot be only spaces." in [e.value for e in at.error]
