"""Three small rewrites of the LLVM dialect that the ROCm target runs after `convert-gpu-to-rocdl`.

Each one closes a gap between what MLIR 22's ROCDL lowering emits and what a code object built
by LLVM 19 can hold (gpu-feasibility.md Q4); rocm.py runs them, tests/python/test_rocm_compile.py
checks each on a snippet:

- `expand_float_atomic_minmax`: `atomicrmw fminimum|fmaximum` (a float `qd.atomic_min/max`),
  which LLVM 19 cannot parse, becomes a compare-and-swap loop; same semantics, NaN included.
- `move_allocas_to_private`: allocas go to address space 5, as LLVM requires on amdgcn.
- `ocml_calls_to_intrinsics`: calls of ROCm device-library (ocml) functions that are
  exactly an LLVM intrinsic LLVM 19 lowers for AMDGPU become that intrinsic, so a kernel using
  `floor` or `abs` needs no device library (qdmlir links none).
"""

from __future__ import annotations

import re

from mlir import ir
from mlir.dialects.llvm import AtomicBinOp

_MINMAX = {
    int(AtomicBinOp.fminimum): "llvm.intr.minimum",
    int(AtomicBinOp.fmaximum): "llvm.intr.maximum",
}

# ocml function -> the intrinsic it is defined as (the device libraries implement each as the
# matching __builtin); exp/log families only for f32, where LLVM 19 expands them for AMDGPU
# (for f64 it would need a libcall, which the GPU does not have)
OCML_INTRINSICS = {
    name: f"llvm.intr.{intr}"
    for name, intr in (
        ("fabs", "fabs"),
        ("floor", "floor"),
        ("ceil", "ceil"),
        ("trunc", "trunc"),
        ("rint", "rint"),
        ("round", "round"),
        ("sqrt", "sqrt"),
        ("fma", "fma"),
        ("copysign", "copysign"),
        ("fmin", "minnum"),
        ("fmax", "maxnum"),
    )
}
OCML_F32_INTRINSICS = {
    name: f"llvm.intr.{name}" for name in ("exp", "exp2", "log", "log2", "log10")
}
_OCML_NAME = re.compile(r"__ocml_(\w+)_(f32|f64)")


def _walk(op: ir.Operation, name: str, found: list) -> list:
    if op.name == name:
        found.append(op)
    for region in op.regions:
        for block in region.blocks:
            for inner in block.operations:
                _walk(inner.operation, name, found)
    return found


def _replace(old: ir.Operation, new: ir.Operation) -> None:
    old.results[0].replace_all_uses_with(new.results[0])
    old.erase()


def expand_float_atomic_minmax(module: ir.Operation) -> int:
    """`llvm.atomicrmw fminimum|fmaximum` (LLVM 20+) -> the compare-and-swap loop LLVM's own
    AtomicExpand would build, on the float's bits:

        ^pre:  ...; %init = llvm.load %p; llvm.br ^loop(%init)
        ^loop(%cur): %new = llvm.intr.minimum(%cur, %v); cmpxchg %p, bits(%cur), bits(%new)
               llvm.cond_br %ok, ^post(%cur), ^loop(float(%seen))
        ^post(%old): the rest of ^pre, with %old for the atomic's result

    (memref.generic_atomic_rmw cannot do it: its lowering emits a float cmpxchg, which the LLVM
    dialect refuses.) Returns the number rewritten."""
    count = 0
    for old in _walk(module, "llvm.atomicrmw", []):
        combine = _MINMAX.get(ir.IntegerAttr(old.attributes["bin_op"]).value)
        if combine is not None:
            _cas_loop(old, combine)
            count += 1
    return count


def _cas_loop(old: ir.Operation, combine: str) -> None:
    pointer, value = old.operands
    element = value.type
    bits = ir.IntegerType.get_signless(ir.FloatType(element).width)
    pair = ir.Type.parse(f"!llvm.struct<({bits}, i1)>")
    pre = old.block
    post = pre.create_after(element)
    loop = pre.create_after(element)
    following, seen_old = [], False
    for op in pre.operations:
        if seen_old:
            following.append(op.operation)
        seen_old = seen_old or op.operation == old
    for op in following:
        post.append(op)
    ordering = ir.IntegerAttr(old.attributes["ordering"]).value
    cas_attributes = {
        "success_ordering": old.attributes["ordering"],
        "failure_ordering": ir.IntegerAttr.get(
            ir.IntegerType.get_signless(64), _FAILURE_ORDERING[ordering]
        ),
        **{n: old.attributes[n] for n in ("alignment", "syncscope") if n in old.attributes},
    }
    with old.location:
        with ir.InsertionPoint(pre):
            init = _create("llvm.load", element, [pointer])
            ir.Operation.create("llvm.br", operands=[init], successors=[loop])
        with ir.InsertionPoint(loop):
            current = loop.arguments[0]
            new = _create(combine, element, [current, value])
            cas = ir.Operation.create(
                "llvm.cmpxchg",
                results=[pair],
                attributes=cas_attributes,
                operands=[
                    pointer,
                    _create("llvm.bitcast", bits, [current]),
                    _create("llvm.bitcast", bits, [new]),
                ],
            )
            seen = _create("llvm.extractvalue", bits, [cas.results[0]], position=[0])
            ok = _create(
                "llvm.extractvalue", ir.IntegerType.get_signless(1), [cas.results[0]], position=[1]
            )
            again = _create("llvm.bitcast", element, [seen])
            ir.Operation.create(
                "llvm.cond_br",
                operands=[ok, current, again],
                successors=[post, loop],
                attributes={"operandSegmentSizes": ir.DenseI32ArrayAttr.get([1, 1, 1])},
            )
    old.results[0].replace_all_uses_with(post.arguments[0])
    old.erase()


# LLVM: a cmpxchg's failure ordering is at most acquire and never stronger than its success one
_FAILURE_ORDERING = {2: 2, 4: 4, 5: 2, 6: 4, 7: 7}


def _create(name: str, result: ir.Type, operands: list, position: list[int] | None = None):
    attributes = {}
    if position is not None:
        attributes["position"] = ir.DenseI64ArrayAttr.get(position)
    return ir.Operation.create(
        name, results=[result], operands=operands, attributes=attributes
    ).results[0]


def move_allocas_to_private(module: ir.Operation) -> int:
    """Every flat `llvm.alloca` -> an alloca in address space 5 cast to a flat pointer, as
    clang emits. The memref lowering allocates in address space 0 (e.g. for `memref.dim` with
    a computed index), which LLVM's verifier rejects for amdgcn ("alloca on amdgpu must be in
    addrspace(5)"), and the bindings crash the process on that. Returns the number moved."""
    private, flat = ir.Type.parse("!llvm.ptr<5>"), ir.Type.parse("!llvm.ptr")
    allocas = [op for op in _walk(module, "llvm.alloca", []) if op.results[0].type == flat]
    for old in allocas:
        with ir.InsertionPoint(old), old.location:
            new = ir.Operation.create(
                "llvm.alloca",
                results=[private],
                operands=list(old.operands),
                attributes={n: old.attributes[n] for n in old.attributes},
            )
            cast = ir.Operation.create(
                "llvm.addrspacecast", results=[flat], operands=[new.results[0]]
            )
        _replace(old, cast)
    return len(allocas)


def ocml_calls_to_intrinsics(module: ir.Operation) -> int:
    """`llvm.call @__ocml_floor_f32(%x)` -> `llvm.intr.floor(%x)` for the functions in
    OCML_INTRINSICS (and OCML_F32_INTRINSICS on f32); declarations left unused are erased.
    Returns the number of calls rewritten."""
    count = 0
    for old in _walk(module, "llvm.call", []):
        if "callee" not in old.attributes:
            continue
        match = _OCML_NAME.fullmatch(ir.FlatSymbolRefAttr(old.attributes["callee"]).value)
        if match is None:
            continue
        name, width = match.groups()
        intrinsic = OCML_INTRINSICS.get(name) or (
            OCML_F32_INTRINSICS.get(name) if width == "f32" else None
        )
        if intrinsic is None:
            continue
        with ir.InsertionPoint(old), old.location:
            new = ir.Operation.create(
                intrinsic, results=[old.results[0].type], operands=list(old.operands)
            )
        _replace(old, new)
        count += 1
    if count:
        _erase_unused_ocml_declarations(module)
    return count


def _erase_unused_ocml_declarations(module: ir.Operation) -> None:
    called = {
        ir.FlatSymbolRefAttr(op.attributes["callee"]).value
        for op in _walk(module, "llvm.call", [])
        if "callee" in op.attributes
    }
    for function in _walk(module, "llvm.func", []):
        name = ir.StringAttr(function.attributes["sym_name"]).value
        declaration = not len(function.regions[0].blocks)
        if name.startswith("__ocml_") and name not in called and declaration:
            function.erase()
