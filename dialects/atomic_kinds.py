"""The kinds of `memref.atomic_rmw`, by the value of upstream MLIR 22's AtomicRMWKind enum.

The generic form stores the kind as an i64 (`<{kind = 1 : i64}>`); these numbers were read off
MLIR 22 by printing each kind generically, and tests/python/test_scf_syntax.py checks them
against the installed bindings.
"""

ATOMIC_KINDS = {
    "addf": 0, "addi": 1, "andi": 2, "assign": 3, "maximumf": 4, "maxnumf": 5, "maxs": 6,
    "maxu": 7, "minimumf": 8, "minnumf": 9, "mins": 10, "minu": 11, "mulf": 12, "muli": 13,
    "ori": 14, "xori": 15,
}  # fmt: skip

ATOMIC_KIND_NAMES = {value: name for name, value in ATOMIC_KINDS.items()}
