"""qd-opt's parser: xDSL's, with a file:line:col on every op and two fixes to xDSL 0.74's lexer.

Both fixes live in `QdOptLexer`, a subclass that only qd-opt's parser uses (nothing of xDSL is
patched globally), so they can be dropped one by one when a newer xDSL has them; each has a
regression test in tests/python/test_bad_input.py:

- String literals: xDSL lexes them with `"(?:[^"...]+|escape)*"`, a nested quantifier that
  backtracks exponentially on an unterminated string (a stray `"` followed by some 40
  characters hangs the parser). One character per repetition matches the same strings in
  linear time.
- Integer widths: xDSL has no limit and runs out of memory (or fails to print) on
  `i99999999`; MLIR refuses anything wider than 16777215 bits, and so does this lexer, at the
  type's token.

xDSL's `Parser` builds its lexer in `__init__`, with no way to pass another, so
`LocatingParser.__init__` sets up the same state around `QdOptLexer` (the pinned xDSL's four
fields; tests/python/test_bad_input.py fails if they change).
"""

from __future__ import annotations

import re
from collections import defaultdict

from xdsl.dialects.builtin import FileLineColLoc, IntAttr, StringAttr, UnknownLoc
from xdsl.ir import Operation
from xdsl.parser import AttrParser, Parser
from xdsl.parser.generic_parser import ParserState
from xdsl.utils.exceptions import ParseError
from xdsl.utils.lexer import Input
from xdsl.utils.mlir_lexer import MLIRLexer, MLIRToken, MLIRTokenKind

MAX_INTEGER_WIDTH = 16777215
"""MLIR's limit on an integer type's bit width."""

_INTEGER_TYPE = re.compile(r"[su]?i(\d+)")


class QdOptLexer(MLIRLexer):
    """xDSL's MLIR lexer with linear-time string literals and MLIR's integer width limit."""

    _unescaped_characters_regex = re.compile(r'"(?:[^"\\\n\v\f]|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*"')

    def lex(self) -> MLIRToken:
        token = super().lex()
        if token.kind == MLIRTokenKind.BARE_IDENT:
            match = _INTEGER_TYPE.fullmatch(token.text)
            if match and int(match.group(1)) > MAX_INTEGER_WIDTH:
                raise ParseError(
                    token.span, f"integer bitwidth is limited to {MAX_INTEGER_WIDTH} bits"
                )
        return token


class LocatingParser(Parser):
    """An xDSL parser over `QdOptLexer` that gives every op without `loc(...)` its own
    file:line:col, so diagnostics point at the op's line, as `expected-error@+1` needs."""

    def __init__(self, ctx, text: str, name: str, line_offset: int = 0):
        AttrParser.__init__(self, ParserState(QdOptLexer(Input(text, name))), ctx)
        self.ssa_values = {}
        self.blocks = {}
        self.forward_block_references = defaultdict(list)
        self.forward_ssa_references = {}
        self._line_offset = line_offset
        self._file_attr = StringAttr(name)

    def parse_operation(self) -> Operation:
        start = self._current_token.span.get_location()
        op = super().parse_operation()
        if isinstance(op.location, UnknownLoc):
            op.location = FileLineColLoc(
                self._file_attr, IntAttr(start.line + self._line_offset), IntAttr(start.col)
            )
        return op
