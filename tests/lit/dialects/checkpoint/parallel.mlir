// RUN: qd-opt %s | FileCheck %s
// RUN: qd-opt %s | qd-opt | FileCheck %s
// RUN: qd-opt %s --print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: qd-opt %s --print-op-generic | qd-opt | FileCheck %s
// `checkpoint.parallel` is one fork/join; each `section { ... }` is one of its regions, in
// source order. Custom and generic forms print and parse back to the same op.

// Two sections, as `with qd.graph.parallel_context():` holding two `with qd.graph.parallel():`
// blocks: a task in one, a serial statement in the other.
// CHECK-LABEL: func.func @two_sections
// CHECK:         checkpoint.parallel section {
// CHECK-NEXT:      scf.parallel
// CHECK:         } section {
// CHECK-NEXT:      checkpoint.serial {
// CHECK:             memref.store
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// GENERIC-LABEL: "func.func"() <{{{.*}}sym_name = "two_sections"
// GENERIC:         "checkpoint.parallel"() ({
// GENERIC:           "scf.parallel"
// GENERIC:         }, {
// GENERIC:           "checkpoint.serial"() ({
// GENERIC:         }) : () -> ()
func.func @two_sections(%x: memref<?xf32>, %y: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  checkpoint.parallel section {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      %v = memref.load %x[%i] : memref<?xf32>
      memref.store %v, %x[%i] : memref<?xf32>
      scf.reduce
    }
  } section {
    checkpoint.serial {
      %one = arith.constant 1.0 : f32
      memref.store %one, %y[] : memref<f32>
    }
  }
  func.return
}

// After checkpoint-number a section's tasks sit in implicit checkpoints with slots.
// CHECK-LABEL: func.func @numbered
// CHECK:         checkpoint.parallel section {
// CHECK-NEXT:      checkpoint.region slot 0 {
// CHECK:         } section {
// CHECK-NEXT:      checkpoint.region slot 1 {
func.func @numbered() {
  checkpoint.parallel section {
    checkpoint.region slot 0 {
      "test.op"() : () -> ()
    }
  } section {
    checkpoint.region slot 1 {
      "test.op"() : () -> ()
    }
  }
  func.return
}

// Empty sections and an empty fork (a `qd.static(range(0))` that generated no section) print
// as they are; so does a fork inside a do-while body.
// CHECK-LABEL: func.func @empty
// CHECK:         checkpoint.parallel section {
// CHECK-NEXT:    } section {
// CHECK-NEXT:    }
// CHECK-NEXT:    checkpoint.parallel
// CHECK-NEXT:    checkpoint.do_while
// CHECK-NEXT:      checkpoint.parallel section {
// GENERIC-LABEL: sym_name = "empty"
// GENERIC:         "checkpoint.parallel"() ({
// GENERIC-NEXT:    ^bb0:
// GENERIC-NEXT:    }, {
// GENERIC-NEXT:    ^bb0:
// GENERIC-NEXT:    }) : () -> ()
// GENERIC-NEXT:    "checkpoint.parallel"() : () -> ()
func.func @empty(%cond: memref<i32>) {
  checkpoint.parallel section {} section {}
  checkpoint.parallel
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.parallel section {
      "test.op"() : () -> ()
    }
  }
  func.return
}
