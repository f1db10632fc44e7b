"""The slot table as a module attribute (docs/architecture.md §2-§3).

`checkpoint-lower` erases the regions that carry each slot's label and `yield_on`, so it
records them first, on the module, keyed by kernel:

    builtin.module attributes {qd.slots = {step = [{}, {label = 7 : i64, yield_on = 1 : i64}]}}

Entry k is slot k; an unlabelled slot is `{}`; `yield_on` is the flag's argument position, as
on `checkpoint.region`. The compiler driver reads the table after the pipeline
(`read_slot_table`) for the artifact's manifest: metadata travels in the IR, so no driver needs
to know which pass computed it.
"""

from __future__ import annotations

from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, IntegerAttr, ModuleOp, i64
from xdsl.dialects.func import FuncOp

from qdmlir.dialects.checkpoint import RegionOp
from qdmlir.runtime.artifact import SlotSpec

SLOTS_ATTR = "qd.slots"


def record_slot_table(module: ModuleOp, func: FuncOp, regions: list[RegionOp]) -> None:
    """Add `func`'s entry to the module's table; `regions` are in slot order."""
    entries = []
    for region in regions:
        entry = {}
        if region.label_value is not None:
            entry["label"] = IntegerAttr(region.label_value, i64)
        if region.yield_on_index is not None:
            entry["yield_on"] = IntegerAttr(region.yield_on_index, i64)
        entries.append(DictionaryAttr(entry))
    table = module.attributes.get(SLOTS_ATTR)
    kernels = dict(table.data) if isinstance(table, DictionaryAttr) else {}
    kernels[func.sym_name.data] = ArrayAttr(entries)
    module.attributes[SLOTS_ATTR] = DictionaryAttr(kernels)


def read_slot_table(module: ModuleOp, kernel: str, arg_names: list[str]) -> list[SlotSpec]:
    """(label, yield_on parameter name) of each slot of `kernel`, in slot order; [] if it has
    none recorded. `arg_names` are the kernel's parameters, in order."""
    table = module.attributes.get(SLOTS_ATTR)
    if not isinstance(table, DictionaryAttr) or kernel not in table.data:
        return []
    slots = []
    for entry in table.data[kernel]:
        label = entry.data.get("label")
        yield_on = entry.data.get("yield_on")
        slots.append(
            SlotSpec(
                label.value.data if label is not None else None,
                arg_names[yield_on.value.data] if yield_on is not None else None,
            )
        )
    return slots
