"""qd.GraphStatus: Quadrants' fields and repr, plus value equality and unpacking."""

from enum import IntEnum

from qdmlir.runtime.status import COMPLETED, GraphStatus, status_from_yielded_at


class Stage(IntEnum):
    SIM = 0


def test_fields_and_repr_match_quadrants():
    status = GraphStatus(yielded=True, checkpoint=10)
    assert status.yielded is True and status.checkpoint == 10
    assert repr(status) == "GraphStatus(yielded=True, checkpoint=10)"
    assert repr(GraphStatus(False, None)) == "GraphStatus(yielded=False)"


def test_an_intenum_label_stays_that_member():
    status = GraphStatus(True, Stage.SIM)
    assert status.checkpoint is Stage.SIM
    assert repr(status) == "GraphStatus(yielded=True, checkpoint=<Stage.SIM: 0>)"


def test_equality_and_unpacking():
    assert GraphStatus(True, 10) == GraphStatus(True, 10)
    assert GraphStatus(True, 10) != GraphStatus(True, 20)
    yielded, checkpoint = GraphStatus(True, 7)
    assert (yielded, checkpoint) == (True, 7)
    assert COMPLETED == GraphStatus(False) and COMPLETED.checkpoint is None


def test_status_from_the_launchers_yielded_at():
    labels = [None, Stage.SIM, None, 20]
    assert status_from_yielded_at(-1, labels) is COMPLETED
    assert status_from_yielded_at(1, labels) == GraphStatus(True, Stage.SIM)
    assert status_from_yielded_at(3, labels).checkpoint == 20
