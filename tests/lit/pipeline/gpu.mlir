// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=gpu},checkpoint-merge-guards,checkpoint-reuse-state-loads,gpu-coarsen-tasks{factor=4},gpu-device-loops,canonicalize,cse' | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=gpu},checkpoint-merge-guards,checkpoint-reuse-state-loads,gpu-coarsen-tasks{factor=4},gpu-device-loops,canonicalize,cse' --print-op-generic | mlir-opt | FileCheck %s --check-prefix=UPSTREAM
// The default cuda / rocm pipeline: every task, flag check and serial statement is a kernel
// (scf.parallel) that tests the launch state itself.

// CHECK-LABEL: func.func @two_tasks_and_a_yield
// CHECK-SAME:    %[[STATE:[^:]*]]: memref<2xi32>)
// CHECK:         scf.parallel
// CHECK:           memref.load %[[STATE]]
// CHECK:           }{qd.guard_slot = 0 : i64}
// CHECK:         scf.parallel
// CHECK:           memref.load %[[STATE]]
// CHECK:           }{qd.guard_slot = 1 : i64}
// CHECK:         scf.parallel
// CHECK:           memref.load %[[STATE]]
// CHECK:             memref.store %{{.*}}, %[[STATE]]
// CHECK:           }{qd.guard_slot = 1 : i64}
// CHECK:         scf.parallel
// CHECK:           }{qd.guard_serial}
// CHECK:         func.return
// CHECK-NOT:     checkpoint.
// UPSTREAM-LABEL: func.func @two_tasks_and_a_yield
// UPSTREAM-COUNT-4: scf.parallel
func.func @two_tasks_and_a_yield(%a: memref<?xf32>, %flag: memref<i32>, %total: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %x = memref.load %a[%i] : memref<?xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %a[%i] : memref<?xf32>
    scf.reduce
  }
  checkpoint.region label 7 yield_on 1 "flag" {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      %x = memref.load %a[%i] : memref<?xf32>
      %y = arith.mulf %x, %x : f32
      memref.store %y, %a[%i] : memref<?xf32>
      scf.reduce
    }
  }
  checkpoint.serial {
    %zero = arith.constant 0 : i32
    memref.store %zero, %total[] : memref<i32>
  }
  func.return
}
