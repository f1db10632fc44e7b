// RUN: qd-opt %s | qd-opt | FileCheck %s
// `checkpoint.do_while` takes its 0-d i32 condition as an operand and holds the loop body.

// CHECK-LABEL: func.func @counter_loop
// CHECK-SAME:    (%[[COUNTER:.*]]: memref<i32>)
// CHECK:         checkpoint.do_while %[[COUNTER]] : memref<i32> {
// CHECK-NEXT:      checkpoint.region slot 0 {
// CHECK:           }
// CHECK-NEXT:    }
func.func @counter_loop(%counter: memref<i32>) {
  checkpoint.do_while %counter : memref<i32> {
    checkpoint.region slot 0 {
      "test.op"() : () -> ()
    }
  }
  func.return
}

// Do-while loops nest, and their bodies hold the same things as the kernel top level.
// CHECK-LABEL: func.func @nested
// CHECK:         checkpoint.do_while %[[OUTER:.*]] : memref<i32> {
// CHECK:           checkpoint.serial {
// CHECK:           checkpoint.do_while %[[INNER:.*]] : memref<i32> {
// CHECK:             checkpoint.region slot 0 label 5 yield_on 2 "flag" {
func.func @nested(%outer: memref<i32>, %inner: memref<i32>, %flag: memref<i32>) {
  checkpoint.do_while %outer : memref<i32> {
    checkpoint.serial {
      "test.op"() : () -> ()
    }
    checkpoint.do_while %inner : memref<i32> {
      checkpoint.region slot 0 label 5 yield_on 2 "flag" {
        "test.op"() : () -> ()
      }
    }
  }
  func.return
}
