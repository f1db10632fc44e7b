// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=cpu},cpu-interrupt-checks,checkpoint-merge-guards,checkpoint-reuse-state-loads,cpu-parallel-sections,cpu-parallel-threshold,canonicalize,cse' | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=cpu},cpu-interrupt-checks,checkpoint-merge-guards,checkpoint-reuse-state-loads,cpu-parallel-sections,cpu-parallel-threshold,canonicalize,cse' --print-op-generic | mlir-opt | FileCheck %s --check-prefix=UPSTREAM
// The default cpu pipeline (passes/pipeline.py) on a 3-task checkpointed kernel:
// `for; with qd.checkpoint(7, yield_on=flag): for; total = 0; for`.

// The state is read once: nothing before the flag check writes it.
// CHECK-LABEL: func.func @three_tasks
// CHECK-SAME:    (%[[A:.*]]: memref<?xf32>, %[[FLAG:.*]]: memref<i32>, %[[TOTAL:.*]]: memref<i32>, %[[STATE:.*]]: memref<2xi32>)
// CHECK-SAME:    attributes {qd.kernel, qd.lowered}
// CHECK:         %[[RP:.*]] = memref.load %[[STATE]]
// CHECK:         %[[YA:.*]] = memref.load %[[STATE]]
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK-NOT:     memref.load %[[STATE]]
// CHECK:         memref.load %[[FLAG]][] : memref<i32>
// CHECK:         }{qd.guard_slot = 1 : i64}
// After the flag check, yielded_at is read again, for the serial statement and slot 2.
// CHECK:         %[[YA2:.*]] = memref.load %[[STATE]]
// CHECK:         memref.store %{{.*}}, %[[TOTAL]][] : memref<i32>
// CHECK:         }{qd.guard_serial}
// CHECK:         }{qd.guard_slot = 2 : i64}
// CHECK-NEXT:    func.return
// CHECK-NOT:     checkpoint.
// UPSTREAM-LABEL: func.func @three_tasks
// UPSTREAM-SAME:    memref<2xi32>) attributes {qd.kernel, qd.lowered}
// UPSTREAM:         func.call @three_tasks.task2.parallel
// UPSTREAM:         } {qd.guard_slot = 2 : i64}
func.func @three_tasks(%a: memref<?xf32>, %flag: memref<i32>, %total: memref<i32>) attributes {qd.kernel} {
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
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %one = arith.constant 1 : i32
    %old = "memref.atomic_rmw"(%one, %total) <{kind = 1 : i64}> : (i32, memref<i32>) -> i32
    scf.reduce
  }
  func.return
}
