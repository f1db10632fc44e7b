// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-lower{target=gpu},gpu-condition-kernels' --split-input-file | FileCheck %s

// A do-while's entry guard and its loop condition read device memory: each gets a function
// whose one-iteration task recomputes it and calls cudaGraphSetConditional(handle, value),
// and the host op names that function in qd.cond_kernel.
// CHECK-LABEL: func.func @do_while_gets_two_condition_kernels
// CHECK:         scf.while
// CHECK:         } attributes {qd.cond_kernel = "do_while_gets_two_condition_kernels__qd_cond1"}
// CHECK:         }{qd.guard_slot = 0 : i64, qd.cond_kernel = "do_while_gets_two_condition_kernels__qd_cond0"}
// CHECK-LABEL: func.func @do_while_gets_two_condition_kernels__qd_cond0
// CHECK-SAME:    %[[HANDLE:[^:]*]]: i64) attributes {qd.condition_kernel}
// CHECK:         scf.parallel
// CHECK:           memref.load
// CHECK:           memref.load
// CHECK:           %[[VALUE:.*]] = arith.extui
// CHECK:           func.call @cudaGraphSetConditional(%[[HANDLE]], %[[VALUE]]) : (i64, i32) -> ()
// CHECK-LABEL: func.func @do_while_gets_two_condition_kernels__qd_cond1
// CHECK:           func.call @cudaGraphSetConditional
// CHECK:       func.func private @cudaGraphSetConditional(i64, i32)
func.func @do_while_gets_two_condition_kernels(%n: index, %cond: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.region slot 0 {
      scf.parallel (%i) = (%c0) to (%n) step (%c1) {
        "test.op"(%i) : (index) -> ()
        scf.reduce
      }
    }
  }
  func.return
}

// -----

// A kernel without host conditions is left alone: no function, no declaration.
// CHECK-LABEL: func.func @tasks_only_need_no_condition_kernel
// CHECK-NOT:   qd.cond_kernel
// CHECK-NOT:   cudaGraphSetConditional
func.func @tasks_only_need_no_condition_kernel(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  func.return
}
