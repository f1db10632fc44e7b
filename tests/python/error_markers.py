"""The `# ERROR <name>` markers of a module of bad kernels: each marks the line a compile error
must point at, so tests can check an error's file:line without hard-coding numbers."""

from __future__ import annotations

import inspect
from types import ModuleType


class Markers:
    def __init__(self, module: ModuleType):
        self.file = inspect.getsourcefile(module)
        with open(self.file) as source:
            self.lines = source.read().splitlines()

    def line(self, name: str) -> int:
        """The 1-based number of the line marked `# ERROR name`."""
        marker = f"# ERROR {name}"
        for number, line in enumerate(self.lines, start=1):
            if line.rstrip().endswith(marker) or f"{marker} " in line:
                return number
        raise AssertionError(f"no '{marker}' marker in {self.file}")
