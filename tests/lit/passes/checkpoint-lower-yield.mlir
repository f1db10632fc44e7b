// RUN: qd-opt %s -p checkpoint-lower --split-input-file | FileCheck %s
// After each task of a checkpoint with yield_on, a non-zero flag makes the launch yield at
// that slot: the check sits inside the task's guard, where yielded_at is known to be -1, so
// the first yielder wins without a second test (docs/semantics.md rule 2).

// CHECK-LABEL: func.func @yield_after_the_task
// CHECK-SAME:    (%[[N:.*]]: index, %[[FLAG:.*]]: memref<i32>, %[[STATE:.*]]: memref<2xi32>)
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      scf.parallel
// CHECK:           }
// CHECK-NEXT:      %[[F:.*]] = memref.load %[[FLAG]][] : memref<i32>
// CHECK-NEXT:      %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT:      %[[RAISED:.*]] = arith.cmpi ne, %[[F]], %[[ZERO]] : i32
// CHECK-NEXT:      scf.if %[[RAISED]] {
// CHECK-NEXT:        %[[SLOT:.*]] = arith.constant 0 : i32
// CHECK-NEXT:        %[[I1:.*]] = arith.constant 1 : index
// CHECK-NEXT:        memref.store %[[SLOT]], %[[STATE]][%[[I1]]] : memref<2xi32>
// CHECK-NEXT:      }
// CHECK-NEXT:    }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:    func.return
func.func @yield_after_the_task(%n: index, %flag: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 label 7 yield_on 1 "flag" {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  func.return
}

// -----

// Each task of a yielding checkpoint is checked: once the first task yields, the second
// task's guard (which reloads yielded_at) skips it, and everything after it.
// CHECK-LABEL: func.func @yield_between_tasks
// CHECK-SAME:    %[[STATE:[^:]*]]: memref<2xi32>)
// CHECK:         scf.if %{{.*}} {
// CHECK:           "test.op"(%{{.*}}) {first}
// CHECK:           memref.store %{{.*}}, %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:         }{qd.guard_slot = 1 : i64}
// CHECK-NEXT:    %[[I0:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %{{.*}} = memref.load %[[STATE]][%[[I0]]] : memref<2xi32>
// CHECK:         %[[I1:.*]] = arith.constant 1 : index
// CHECK-NEXT:    %[[YA:.*]] = memref.load %[[STATE]][%[[I1]]] : memref<2xi32>
// CHECK:         arith.cmpi eq, %[[YA]], %{{.*}} : i32
// CHECK:         scf.if %{{.*}} {
// CHECK:           "test.op"(%{{.*}}) {second}
// CHECK:           memref.store %{{.*}}, %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:         }{qd.guard_slot = 1 : i64}
func.func @yield_between_tasks(%n: index, %flag: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {}
  checkpoint.region slot 1 label 7 yield_on 1 "flag" {
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

// Two checkpoints on one flag record their own slot, so the host learns which one yielded.
// CHECK-LABEL: func.func @two_checkpoints_one_flag
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK:         scf.if %{{.*}} {
// CHECK:           memref.load %{{.*}}[] : memref<i32>
// CHECK:           scf.if %{{.*}} {
// CHECK-NEXT:        %[[S1:.*]] = arith.constant 1 : i32
// CHECK-NEXT:        %[[I1:.*]] = arith.constant 1 : index
// CHECK-NEXT:        memref.store %[[S1]], %{{.*}}[%[[I1]]] : memref<2xi32>
// CHECK:         }{qd.guard_slot = 1 : i64}
// CHECK:         scf.if %{{.*}} {
// CHECK:           scf.if %{{.*}} {
// CHECK-NEXT:        %[[S2:.*]] = arith.constant 2 : i32
// CHECK-NEXT:        %[[I1B:.*]] = arith.constant 1 : index
// CHECK-NEXT:        memref.store %[[S2]], %{{.*}}[%[[I1B]]] : memref<2xi32>
// CHECK:         }{qd.guard_slot = 2 : i64}
func.func @two_checkpoints_one_flag(%n: index, %flag: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.reduce
    }
  }
  checkpoint.region slot 1 label 10 yield_on 1 "flag" {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.reduce
    }
  }
  checkpoint.region slot 2 label 20 yield_on 1 "flag" {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.reduce
    }
  }
  func.return
}

// -----

// A label without yield_on never yields: no flag is read, no state is written.
// CHECK-LABEL: func.func @label_without_yield_on
// CHECK-NOT:     memref.store
// CHECK:         func.return
func.func @label_without_yield_on(%n: index, %flag: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 label 7 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.reduce
    }
  }
  func.return
}
