"""The hand-off's printer: xDSL's generic text, built with fewer Python calls per op.

The hand-off (passes/handoff.py) prints the whole lowered module, thousands of ops for a large
kernel, and xDSL's `Printer` spends tens of microseconds on each: every type and location is
printed by walking its parameters again, and every list and bracket goes through a callback
and a context manager. `HandoffPrinter` prints the same text (tests/python/test_handoff.py
compares the two on every lit sample) with two changes:

- each distinct attribute (type, location, constant) is printed once and its text reused:
  attributes are immutable values;
- the default (generic) format of an op is assembled as strings: operands, result names,
  successors and the function type, with Printer's own SSA and block naming.

A 200-task kernel's hand-off print: 0.37 s with Printer, 0.23 s with the attribute cache alone.
"""

from __future__ import annotations

from io import StringIO

from xdsl.dialects.builtin import FunctionType
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.printer import Printer


class HandoffPrinter(Printer):
    """`Printer(print_generic_format=True, print_debuginfo=True)`, faster (module docstring)."""

    _attribute_text: dict[Attribute, str] | None = None

    def print_string(self, text: str, *, indent: int | None = None) -> None:
        if "\n" in text:
            super().print_string(text, indent=indent)
        else:  # Printer's own path for a piece of a line, without print()'s overhead
            self._current_column += len(text)
            self.stream.write(text)

    def print_attribute(self, attribute: Attribute) -> None:
        self._write(self._text(attribute))

    def _write(self, text: str) -> None:
        """Write text that is already indented (a captured attribute may span lines)."""
        self.stream.write(text)
        newline = text.rfind("\n")
        self._current_column = (
            self._current_column + len(text) if newline < 0 else len(text) - newline - 1
        )

    def _text(self, attribute: Attribute) -> str:
        """The attribute's text, printed once and reused unless it spans lines (its
        indentation then depends on where it is printed)."""
        if self._attribute_text is None:
            self._attribute_text = {}
        text = self._attribute_text.get(attribute)
        if text is not None:
            return text
        stream, column = self.stream, self._current_column
        self.stream = StringIO()
        try:
            Printer.print_attribute(self, attribute)
            text = self.stream.getvalue()
        finally:
            self.stream, self._current_column = stream, column
        if "\n" not in text:
            self._attribute_text[attribute] = text
        return text

    def _name(self, value: SSAValue) -> str:
        """Printer.print_ssa_value's name for `value`, without printing it."""
        name = self._ssa_values.get(value)
        if name is not None:
            return name
        if value.name_hint:
            count = self.ssa_names.get(value.name_hint, 0)
            name = f"{value.name_hint}_{count}" if count else value.name_hint
            self.ssa_names[value.name_hint] = count + 1
        else:
            name = self._get_new_valid_name_id()
        self._ssa_values[value] = name
        return name

    def _print_results(self, op: Operation) -> None:
        if op.results:
            self.print_string(", ".join(f"%{self._name(r)}" for r in op.results) + " = ")

    def print_op_with_default_format(self, op: Operation) -> None:
        if self.print_properties_as_attributes:
            super().print_op_with_default_format(op)
            return
        head = "(" + ", ".join(f"%{self._name(v)}" for v in op.operands) + ")"
        if op.successors:
            head += " [" + ", ".join(f"^{self._block(b)}" for b in op.successors) + "]"
        self.print_string(head)
        self._print_op_properties(op.properties)
        self.print_regions(op.regions)
        self.print_op_attributes(op.attributes)
        self.print_string(" : ")
        self._print_function_type(op)
        if self.print_debuginfo:
            self.print_string(" ")
            self.print_attribute(op.location)

    def _block(self, block: Block) -> str:
        return self._get_block_name(block)

    def _print_function_type(self, op: Operation) -> None:
        inputs = [self._text(t) for t in op.operand_types]
        outputs = [self._text(t) for t in op.result_types]
        if len(outputs) == 1 and not isinstance(op.result_types[0], FunctionType):
            result = outputs[0]
        else:
            result = "(" + ", ".join(outputs) + ")"
        self._write("(" + ", ".join(inputs) + ") -> " + result)
