"""MLIR's custom syntax for scf.parallel, scf.execute_region and memref.atomic_rmw
(dialects/scf_syntax.py)."""

import mlir.ir
import pytest
from xdsl.context import Context
from xdsl.parser import Parser
from xdsl.printer import Printer

from qdmlir.dialects import get_all_dialects
from qdmlir.dialects.atomic_kinds import ATOMIC_KINDS

KERNEL = """
func.func @k(%x: memref<?x?xf32>, %n: index, %m: index, %v: f32, %w: i32, %c: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %m) step (%c1, %c1) {
    %old = memref.atomic_rmw addf %v, %x[%i, %j] : (f32, memref<?x?xf32>) -> f32
    %k = memref.atomic_rmw maxs %w, %c[] : (i32, memref<i32>) -> i32
    scf.reduce
  }
  %sum = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%v) -> f32 {
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  func.return
}
"""


def xdsl_print(text: str) -> str:
    context = Context()
    for name, factory in get_all_dialects().items():
        context.register_dialect(name, factory)
    module = Parser(context, text).parse_module()
    module.verify()
    from io import StringIO

    out = StringIO()
    Printer(stream=out).print_op(module)
    return out.getvalue()


def test_custom_forms_round_trip_through_xdsl():
    once = xdsl_print(KERNEL)
    assert "scf.parallel (%i, %j) = (%c0, %c0) to (%n, %m) step (%c1, %c1) {" in once
    assert "init (%v) -> f32 {" in once
    assert "memref.atomic_rmw addf %v, %x[%i, %j] : (f32, memref<?x?xf32>) -> f32" in once
    assert xdsl_print(once) == once


def test_upstream_mlir_reads_what_xdsl_prints():
    with mlir.ir.Context():
        module = mlir.ir.Module.parse(xdsl_print(KERNEL))
        module.operation.verify()


@pytest.mark.parametrize("kind", sorted(ATOMIC_KINDS))
def test_atomic_kind_numbers_match_the_installed_mlir(kind):
    element = "f32" if kind.endswith("f") else "i32"
    text = (
        f"func.func @f(%m: memref<4x{element}>, %v: {element}, %i: index) {{\n"
        f"  %r = memref.atomic_rmw {kind} %v, %m[%i] : ({element}, memref<4x{element}>) "
        f"-> {element}\n  return\n}}"
    )
    with mlir.ir.Context():
        generic = mlir.ir.Module.parse(text).operation.get_asm(print_generic_op_form=True)
    assert f"kind = {ATOMIC_KINDS[kind]} : i64" in generic


def test_unknown_atomic_kind_is_a_parse_error():
    with pytest.raises(Exception, match="unknown atomic_rmw kind 'addx'"):
        xdsl_print(
            "func.func @f(%m: memref<i32>, %v: i32) {\n"
            "  %r = memref.atomic_rmw addx %v, %m[] : (i32, memref<i32>) -> i32\n"
            "  func.return\n}"
        )


SECTIONS = """
func.func @k(%c: memref<i32>, %v: i32) {
  scf.execute_region no_inline {
    scf.execute_region no_inline {
      memref.store %v, %c[] : memref<i32>
      scf.yield
    } {qd.section}
    scf.yield
  } {qd.fork}
  %r = scf.execute_region -> (i32) {
    scf.yield %v : i32
  }
  func.return
}
"""


def test_execute_region_keeps_no_inline_through_xdsl_and_upstream():
    once = xdsl_print(SECTIONS)
    assert xdsl_print(once) == once
    assert "scf.execute_region no_inline {" in once and "} {qd.fork}" in once
    assert "scf.execute_region -> (i32) {" in once
    # upstream takes the unit attribute as the op's own no_inline property, so canonicalize
    # keeps the region (it would inline it otherwise)
    from mlir import passmanager

    with mlir.ir.Context() as context:
        context.allow_unregistered_dialects = False
        module = mlir.ir.Module.parse(once)
        passmanager.PassManager.parse("builtin.module(canonicalize)").run(module.operation)
        text = str(module)
    assert text.count("scf.execute_region no_inline") == 2
    assert "qd.fork" in text and "qd.section" in text


def test_xdsl_canonicalize_keeps_a_no_inline_region_and_inlines_the_others():
    from xdsl.transforms.canonicalize import CanonicalizePass

    from qdmlir.passes.pipeline import xdsl_context

    context = xdsl_context()
    module = Parser(context, SECTIONS).parse_module()
    CanonicalizePass().apply(context, module)
    from io import StringIO

    out = StringIO()
    Printer(stream=out).print_op(module)
    text = out.getvalue()
    assert text.count("scf.execute_region no_inline") == 2
    assert "scf.execute_region -> (i32)" not in text  # the plain one is inlined, as upstream
