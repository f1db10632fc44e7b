// RUN: qd-opt %s -p checkpoint-lower --split-input-file | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-lower{target=cpu}' --split-input-file | FileCheck %s
// On the cpu target each task of a checkpoint runs under a host-side guard
// `scf.if (resume_point <= slot && yielded_at == -1)` (docs/architecture.md §3).

// An implicit checkpoint: one task, one guard, no flag check.
// CHECK-LABEL: func.func @implicit_checkpoint
// CHECK-SAME:    (%[[N:.*]]: index, %[[STATE:.*]]: memref<2xi32>) attributes {qd.lowered}
// CHECK:         %{{.*}} = arith.constant 1 : index
// CHECK-NEXT:    %[[I0:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[RP:.*]] = memref.load %[[STATE]][%[[I0]]] : memref<2xi32>
// CHECK-NEXT:    %[[SLOT:.*]] = arith.constant 0 : i32
// CHECK-NEXT:    %[[REACHED:.*]] = arith.cmpi sle, %[[RP]], %[[SLOT]] : i32
// CHECK-NEXT:    %[[I1:.*]] = arith.constant 1 : index
// CHECK-NEXT:    %[[YA:.*]] = memref.load %[[STATE]][%[[I1]]] : memref<2xi32>
// CHECK-NEXT:    %[[NONE:.*]] = arith.constant -1 : i32
// CHECK-NEXT:    %[[NOT_YIELDED:.*]] = arith.cmpi eq, %[[YA]], %[[NONE]] : i32
// CHECK-NEXT:    %[[GO:.*]] = arith.andi %[[REACHED]], %[[NOT_YIELDED]] : i1
// CHECK-NEXT:    scf.if %[[GO]] {
// CHECK-NEXT:      scf.parallel
// CHECK:             "test.op"
// CHECK:           }
// CHECK-NEXT:    }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:    func.return
// CHECK-NOT:     checkpoint.
func.func @implicit_checkpoint(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  func.return
}

// -----

// A checkpoint without yield_on guards each of its tasks by its slot, in order.
// CHECK-LABEL: func.func @two_tasks_one_slot
// CHECK:         %[[S1:.*]] = arith.constant 1 : i32
// CHECK:         arith.cmpi sle, %{{.*}}, %[[S1]] : i32
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      scf.parallel
// CHECK:             "test.op"(%{{.*}}) {first}
// CHECK:         }{qd.guard_slot = 1 : i64}
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      scf.parallel
// CHECK:             "test.op"(%{{.*}}) {second}
// CHECK:         }{qd.guard_slot = 1 : i64}
// CHECK-NOT:     memref.store
// CHECK-NOT:     checkpoint.
func.func @two_tasks_one_slot(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {}
  checkpoint.region slot 1 label 9 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) {first} : (index) -> ()
      scf.reduce
    }
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) {second} : (index) -> ()
      scf.reduce
    }
  }
  func.return
}

// -----

// An empty checkpoint lowers to nothing but still counts as a slot for the others.
// CHECK-LABEL: func.func @empty_checkpoint
// CHECK-NOT:     scf.if
// CHECK:         func.return
func.func @empty_checkpoint() {
  checkpoint.region slot 0 label 3 {}
  func.return
}
