"""`qd.GraphStatus(yielded, checkpoint)`: what a `checkpoints=True` launch returns (semantics rule 5).

Same fields and repr as Quadrants' class; a NamedTuple besides, so statuses compare equal by
value and unpack: `yielded, checkpoint = step(...)`.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class GraphStatus(NamedTuple):
    """`yielded`: a checkpoint paused this launch; `checkpoint`: its label object (an IntEnum
    member stays that member), or None when nothing yielded. Pass it to
    `kernel.resume(..., from_checkpoint=status.checkpoint)` to continue there."""

    yielded: bool
    checkpoint: Any = None

    def __repr__(self) -> str:
        if self.yielded:
            # !r keeps an IntEnum label readable: checkpoint=<Stage.SIM: 0>
            return f"GraphStatus(yielded=True, checkpoint={self.checkpoint!r})"
        return "GraphStatus(yielded=False)"


# the one status of a launch that ran to the end, shared to save an allocation per call
COMPLETED = GraphStatus(False, None)


def status_from_yielded_at(yielded_at: int, labels) -> GraphStatus:
    """The launcher's `yielded_at` (slot index, -1 = none) -> the status the user sees;
    `labels[slot]` is the user's label object of each slot (None for an implicit one)."""
    if yielded_at < 0:
        return COMPLETED
    return GraphStatus(True, labels[yielded_at])
