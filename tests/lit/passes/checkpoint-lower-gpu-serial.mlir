// RUN: qd-opt %s -p 'checkpoint-lower{target=gpu}' --split-input-file | FileCheck %s
// On a gpu target serial code runs on the device too, as a one-iteration scf.parallel that
// holds its guard.

// A serial statement: `scf.parallel (0..1) { scf.if (yielded_at == -1) { body } }`.
// CHECK-LABEL: func.func @serial_statement
// CHECK-SAME:    (%[[OUT:.*]]: memref<i32>, %[[STATE:.*]]: memref<2xi32>)
// CHECK-NEXT:    %[[LB:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[UB:.*]] = arith.constant 1 : index
// CHECK-NEXT:    scf.parallel (%{{.*}}) = (%[[LB]]) to (%[[UB]]) step (%[[UB]]) {
// CHECK-NEXT:      %[[I1:.*]] = arith.constant 1 : index
// CHECK-NEXT:      %[[YA:.*]] = memref.load %[[STATE]][%[[I1]]] : memref<2xi32>
// CHECK-NEXT:      %[[NONE:.*]] = arith.constant -1 : i32
// CHECK-NEXT:      %[[NOT_YIELDED:.*]] = arith.cmpi eq, %[[YA]], %[[NONE]] : i32
// CHECK-NEXT:      scf.if %[[NOT_YIELDED]] {
// CHECK-NEXT:        %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT:        memref.store %[[ZERO]], %[[OUT]][] : memref<i32>
// CHECK-NEXT:      }{qd.guard_serial}
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return
func.func @serial_statement(%out: memref<i32>) {
  checkpoint.serial {
    %zero = arith.constant 0 : i32
    memref.store %zero, %out[] : memref<i32>
  }
  func.return
}

// -----

// A serial task of a yielding checkpoint: one one-iteration kernel holds the slot guard, the
// task's body and its flag check.
// CHECK-LABEL: func.func @serial_task
// CHECK-SAME:    (%[[FLAG:.*]]: memref<i32>, %[[STATE:.*]]: memref<2xi32>)
// CHECK:         scf.parallel
// CHECK:           arith.cmpi sle
// CHECK:           scf.if %{{.*}} {
// CHECK-NEXT:        "test.op"() {serial_task}
// CHECK-NEXT:        memref.load %[[FLAG]][] : memref<i32>
// CHECK:             memref.store %{{.*}}, %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:           }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return
func.func @serial_task(%flag: memref<i32>) {
  checkpoint.region slot 0 label 1 yield_on 0 "flag" {
    checkpoint.serial {
      "test.op"() {serial_task} : () -> ()
    }
  }
  func.return
}
