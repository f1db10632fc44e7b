"""`import quadrants as qd` over qdmlir, for running Quadrants' own test files unmodified.

tools/upstream/run.py puts this package on sys.path in a scratch directory beside Quadrants'
`tests/` folder. Every public name comes from qdmlir itself, so a name qdmlir lacks fails here as
it would in a user's program. The submodules add only what Quadrants' test infrastructure
(tests/test_utils.py, tests/python/conftest.py) reaches for, and mark Quadrants' private runtime
state, which qdmlir does not have (docs/upstream-tests.md).
"""

import qdmlir as _qdmlir
from quadrants import _lib, _test_tools, lang, math
from quadrants._lib.core import Extension as extension


def __getattr__(name: str):
    return getattr(_qdmlir, name)
