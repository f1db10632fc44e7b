// RUN: qd-opt %s -p checkpoint-lower,checkpoint-reuse-state-loads | FileCheck %s
// On a lowered kernel: resume_point is read once per block until the do-while reset,
// yielded_at once until a flag check.

// CHECK-LABEL: func.func @kernel
// CHECK-SAME:    %[[STATE:[^:]*]]: memref<2xi32>)
// CHECK:         %[[RP:.*]] = memref.load %[[STATE]]
// CHECK:         %[[YA:.*]] = memref.load %[[STATE]]
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK-NOT:     memref.load %[[STATE]]
// CHECK:         }{qd.guard_slot = 1 : i64}
// CHECK:         %[[YA2:.*]] = memref.load %[[STATE]]
// CHECK-NOT:     memref.load %[[STATE]]
// CHECK:         }{qd.guard_slot = 2 : i64}
// CHECK:         scf.while
// CHECK:           memref.load %[[STATE]]
// CHECK:           memref.load %[[STATE]]
// CHECK:           }{qd.guard_slot = 3 : i64}
// CHECK:           memref.store %{{.*}}, %[[STATE]]
// CHECK-NOT:       memref.load %[[STATE]]
// CHECK:           scf.condition
func.func @kernel(%flag: memref<i32>, %cond: memref<i32>) {
  checkpoint.region slot 0 {
    checkpoint.serial {}
  }
  checkpoint.region slot 1 label 1 yield_on 0 "flag" {
    checkpoint.serial {}
  }
  checkpoint.region slot 2 {
    checkpoint.serial {}
  }
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.region slot 3 {
      checkpoint.serial {}
    }
  }
  func.return
}
