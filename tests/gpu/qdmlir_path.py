"""Make `import qdmlir` work from the raw working tree (no pip install), as on the GPU machine.

pyproject maps the import name onto top-level folders (qdmlir.runtime -> runtime/, ...); this
finder does the same for a checkout whose package is not installed. Importing this module is
enough; it does nothing when qdmlir is already importable.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "qdmlir": "qdmlir",
    "qdmlir.frontend": "frontend",
    "qdmlir.dialects": "dialects",
    "qdmlir.passes": "passes",
    "qdmlir.passes.targets": "passes/targets",
    "qdmlir.runtime": "runtime",
    "qdmlir.tools": "tools",
}


class TreeFinder(importlib.abc.MetaPathFinder):
    """Finds the qdmlir packages in ROOT's folders; submodules follow each package's path."""

    def find_spec(self, name, path=None, target=None):
        folder = PACKAGES.get(name)
        if folder is None:
            return None
        init = ROOT / folder / "__init__.py"
        return importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[str(init.parent)]
        )


def install() -> None:
    if importlib.util.find_spec("qdmlir") is None or "--tree" in sys.argv:
        sys.meta_path.insert(0, TreeFinder())


install()
