// RUN: qd-opt %s -p checkpoint-number --split-input-file | FileCheck %s
// Tasks and checkpoints inside do-while loops, nested ones too, are numbered like any other,
// in source (pre-)order (docs/semantics.md).

// CHECK-LABEL: func.func @nested_do_while
// CHECK:         checkpoint.region slot 0 {
// CHECK:         checkpoint.do_while %{{.*}} : memref<i32> {
// CHECK-NEXT:      checkpoint.region slot 1 {
// CHECK:           checkpoint.serial {
// CHECK:           checkpoint.do_while %{{.*}} : memref<i32> {
// CHECK-NEXT:        checkpoint.region slot 2 label 3 yield_on 3 "flag" {
// CHECK:             checkpoint.region slot 3 {
// CHECK:           checkpoint.region slot 4 {
// CHECK:         checkpoint.region slot 5 {
// CHECK:         func.return
func.func @nested_do_while(%n: index, %outer: memref<i32>, %inner: memref<i32>, %flag: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  checkpoint.do_while %outer : memref<i32> {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
    checkpoint.serial {
      "test.op"() : () -> ()
    }
    checkpoint.do_while %inner : memref<i32> {
      checkpoint.region label 3 yield_on 3 "flag" {
        scf.parallel (%i) = (%c0) to (%n) step (%c1) {
          "test.op"(%i) : (index) -> ()
          scf.reduce
        }
      }
      scf.parallel (%i) = (%c0) to (%n) step (%c1) {
        "test.op"(%i) : (index) -> ()
        scf.reduce
      }
    }
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  func.return
}

// -----

// A do-while without tasks takes no slot; the task after it is slot 0.
// CHECK-LABEL: func.func @empty_loop_takes_no_slot
// CHECK:         checkpoint.do_while %{{.*}} : memref<i32> {
// CHECK-NEXT:      checkpoint.serial {
// CHECK:         checkpoint.region slot 0 {
func.func @empty_loop_takes_no_slot(%n: index, %cond: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.serial {
      "test.op"() : () -> ()
    }
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  func.return
}
