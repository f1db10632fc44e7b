// RUN: qd-opt %s -p checkpoint-lower --split-input-file | FileCheck %s
// A serial statement has no slot: it runs on every launch, resumes included, unless a task
// already yielded (docs/semantics.md rule 1): `scf.if (yielded_at == -1)`, tagged `qd.guard_serial`.

// CHECK-LABEL: func.func @serial_statement
// CHECK-SAME:    (%[[OUT:.*]]: memref<i32>, %[[STATE:.*]]: memref<2xi32>)
// CHECK-NEXT:    %[[I1:.*]] = arith.constant 1 : index
// CHECK-NEXT:    %[[YA:.*]] = memref.load %[[STATE]][%[[I1]]] : memref<2xi32>
// CHECK-NEXT:    %[[NONE:.*]] = arith.constant -1 : i32
// CHECK-NEXT:    %[[NOT_YIELDED:.*]] = arith.cmpi eq, %[[YA]], %[[NONE]] : i32
// CHECK-NEXT:    scf.if %[[NOT_YIELDED]] {
// CHECK-NEXT:      %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT:      memref.store %[[ZERO]], %[[OUT]][] : memref<i32>
// CHECK-NEXT:    }{qd.guard_serial}
// CHECK-NEXT:    func.return
func.func @serial_statement(%out: memref<i32>) {
  checkpoint.serial {
    %zero = arith.constant 0 : i32
    memref.store %zero, %out[] : memref<i32>
  }
  func.return
}

// -----

// Serial statements keep their place between checkpoints, and never test resume_point.
// CHECK-LABEL: func.func @serial_between_tasks
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK-NOT:     arith.cmpi sle
// CHECK:         "test.op"() {serial}
// CHECK-NEXT:    }{qd.guard_serial}
// CHECK:         arith.cmpi sle
// CHECK:         }{qd.guard_slot = 1 : i64}
func.func @serial_between_tasks(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.reduce
    }
  }
  checkpoint.serial {
    "test.op"() {serial} : () -> ()
  }
  checkpoint.region slot 1 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.reduce
    }
  }
  func.return
}

// -----

// A serial task inside a checkpoint is one of its tasks: it runs under the slot's guard, its
// body inlined, followed by the flag check.
// CHECK-LABEL: func.func @serial_task_in_a_checkpoint
// CHECK-SAME:    %[[FLAG:[^:]*]]: memref<i32>, %[[STATE:[^:]*]]: memref<2xi32>)
// CHECK:         arith.cmpi sle
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      "test.op"() {serial_task}
// CHECK-NEXT:      %{{.*}} = memref.load %[[FLAG]][] : memref<i32>
// CHECK:           memref.store %{{.*}}, %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK-NOT:     qd.guard_serial
// CHECK-NOT:     checkpoint.
func.func @serial_task_in_a_checkpoint(%flag: memref<i32>) {
  checkpoint.region slot 0 label 1 yield_on 0 "flag" {
    checkpoint.serial {
      "test.op"() {serial_task} : () -> ()
    }
  }
  func.return
}

// -----

// An empty serial statement still lowers to a (trivial) guard.
// CHECK-LABEL: func.func @empty_serial
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:    }{qd.guard_serial}
func.func @empty_serial() {
  checkpoint.serial {}
  func.return
}
