"""Every op, block argument and function argument of the kernel IR carries the Python position
it came from (docs/architecture.md §1): errors reported at any op point at the user's source.

The kernels are those of the frontend lit tests and of the execution test modules, compiled as
test_upstream_acceptance.py compiles them.
"""

import io

import pytest
from test_upstream_acceptance import _kernels, compilation
from xdsl.printer import Printer


@pytest.mark.parametrize(("path", "name"), list(_kernels()))
def test_kernel_ir_has_no_unknown_location(path, name):
    module = compilation(path, name, "cpu").kernel_ir()
    text = io.StringIO()
    Printer(stream=text, print_debuginfo=True).print_op(module)
    unknown = [line.strip() for line in text.getvalue().splitlines() if "loc(unknown)" in line]
    assert not unknown, unknown[:5]
    assert f'loc("{path}"' in text.getvalue()
