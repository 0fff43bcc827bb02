"""The teacher's view of handed-in code: passes counted per function, each student's code shown."""

from __future__ import annotations

import uuid

from streamlit.testing.v1 import AppTest

from mlcore.check import check_source
from runs.code_store import CodeVersion
from runs.scheduler import get_scheduler
from tests.lab_mistakes_cases import REFERENCE, with_function
from ui import class_code
from ui.class_code import latest_per_student

BUGGY = with_function("def loss(Y, y_hat):\n    return -np.sum(Y * np.log(y_hat))\n")


def version(workspace, number, nickname="amy"):
    return CodeVersion(workspace, number, "x = 1", {}, 0.0, nickname)


def test_only_each_students_newest_hand_in_counts():
    kept = [version("a", 1), version("a", 3), version("b", 2, "bo"), version("a", 2)]
    assert [(c.workspace, c.version) for c in latest_per_student(kept)] == [("a", 3), ("b", 2)]


def class_code_page():
    from ui import class_code

    class_code.show([])


def test_the_class_sees_passes_per_function_and_each_students_code():
    scheduler = get_scheduler()
    for source, nickname in ((REFERENCE, "ada"), (BUGGY, "bob **bold**")):
        workspace = uuid.uuid4().hex
        number = scheduler.save_code(workspace, source, check_source(source).to_dict())
        assert scheduler.hand_in(workspace, [], nickname, code_version=number, timeout=10.0)
    class_code.clear()  # as a hand-in on this server does (the fetch is shared for 4 s)
    at = AppTest.from_function(class_code_page, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    loss = table[table["function"] == "loss"]["students passing"].iloc[0]
    passed, total = (int(n) for n in loss.split(" of "))
    assert passed < total  # bob's loss does not pass (other tests may hand in more code)
    labels = [e.label for e in at.expander]
    assert any(
        label.startswith("bob \\*\\*bold\\*\\*") for label in labels
    )  # a nickname stays plain
    assert any("def back(" in c.value for c in at.code)
