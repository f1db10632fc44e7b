// RUN: qd-opt %s -p checkpoint-number > %t.once.mlir
// RUN: qd-opt %t.once.mlir -p checkpoint-number > %t.twice.mlir
// RUN: diff %t.once.mlir %t.twice.mlir
// RUN: qd-opt %s -p checkpoint-number,checkpoint-number | FileCheck %s
// Numbering twice gives the same IR: a wrapped task is not wrapped again, slots stay put.

// CHECK-LABEL: func.func @number_twice
// CHECK:         checkpoint.region slot 0 {
// CHECK-NEXT:      scf.parallel
// CHECK:         checkpoint.region slot 1 label 4 {
// CHECK:         checkpoint.do_while
// CHECK-NEXT:      checkpoint.region slot 2 {
// CHECK-NEXT:        scf.parallel
// CHECK-NOT:     checkpoint.region
// CHECK:         func.return
func.func @number_twice(%n: index, %cond: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  checkpoint.region label 4 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  checkpoint.do_while %cond : memref<i32> {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  func.return
}
