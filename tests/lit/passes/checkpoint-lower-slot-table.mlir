// RUN: qd-opt %s -p checkpoint-lower --split-input-file | FileCheck %s
// checkpoint-lower records each kernel's slot table (slot -> label, yield_on) as the module
// attribute `qd.slots` before the regions are gone: the driver reads the manifest's slots
// from there (passes/slot_table.py).

// Entry k is slot k; an unlabelled slot is an empty dictionary.
// CHECK:       builtin.module attributes {qd.slots = {two_slots = [{}, {label = 7 : i64, yield_on = 1 : i64}]}}
// CHECK-LABEL: func.func @two_slots
func.func @two_slots(%n: index, %flag: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {
    "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
    ^bb0(%i: index):
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }) : (index, index, index) -> ()
  }
  checkpoint.region slot 1 label 7 yield_on 1 "flag" {
    "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
    ^bb0(%i: index):
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }) : (index, index, index) -> ()
  }
  func.return
}

// -----

// Each kernel of a module gets its entry; a kernel without checkpoints has an empty table,
// and a function that is not a kernel has none.
// CHECK:       builtin.module attributes {qd.slots = {first = [{label = 1 : i64}], second = []}}
// CHECK-LABEL: func.func @first
// CHECK-LABEL: func.func @second
// CHECK-LABEL: func.func @helper
func.func @first() {
  checkpoint.region slot 0 label 1 {}
  func.return
}
func.func @second() attributes {qd.kernel} {
  func.return
}
func.func @helper() {
  func.return
}
