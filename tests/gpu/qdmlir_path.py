"""Make `import qdmlir` mean this working tree's folders, installed or not (the GPU machine).

pyproject maps the import name onto top-level folders (qdmlir.runtime -> runtime/, ...); this
finder does the same, first on sys.meta_path. It is installed always: `python -m pytest` puts
the working directory on sys.path, where the bare `qdmlir/` folder would be found as the whole
package and `qdmlir.frontend` would not. Importing this module is enough.
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

    root = ROOT

    def find_spec(self, name, path=None, target=None):
        folder = PACKAGES.get(name)
        if folder is None:
            return None
        init = ROOT / folder / "__init__.py"
        return importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[str(init.parent)]
        )


def install() -> None:
    # once, even if this file is imported again under another module name
    if not any(getattr(finder, "root", None) == ROOT for finder in sys.meta_path):
        sys.meta_path.insert(0, TreeFinder())


install()
