// RUN: qd-opt %s -p checkpoint-reuse-state-loads --split-input-file | FileCheck %s
// Within a block, a load of %qd_state[k] reuses an earlier load of word k when nothing in
// between may write that word.

// Nothing in between writes the state: both words are read once. Index constants compare by
// value, so two `arith.constant 1 : index` name the same word.
// CHECK-LABEL: func.func @reuse_across_a_guard
// CHECK-SAME:    (%[[STATE:.*]]: memref<2xi32>)
// CHECK:         %[[RP:.*]] = memref.load %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:         %[[YA:.*]] = memref.load %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:         scf.if
// CHECK-NOT:     memref.load %[[STATE]]
// CHECK:         "test.op"(%[[RP]], %[[YA]])
func.func @reuse_across_a_guard(%qd_state: memref<2xi32>) attributes {qd.lowered} {
  %i0 = arith.constant 0 : index
  %rp = memref.load %qd_state[%i0] : memref<2xi32>
  %i1 = arith.constant 1 : index
  %ya = memref.load %qd_state[%i1] : memref<2xi32>
  %go = "test.op"(%rp, %ya) : (i32, i32) -> i1
  scf.if %go {
    "test.op"() : () -> ()
  } {qd.guard_slot = 0 : i64}
  %j0 = arith.constant 0 : index
  %rp2 = memref.load %qd_state[%j0] : memref<2xi32>
  %j1 = arith.constant 1 : index
  %ya2 = memref.load %qd_state[%j1] : memref<2xi32>
  "test.op"(%rp2, %ya2) : (i32, i32) -> ()
  func.return
}

// -----

// A flag check (a store to word 1, inside a guard) kills yielded_at but not resume_point.
// CHECK-LABEL: func.func @flag_check_kills_yielded_at
// CHECK-SAME:    (%[[STATE:.*]]: memref<2xi32>)
// CHECK:         %[[RP:.*]] = memref.load %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:         %[[YA:.*]] = memref.load %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:         scf.if
// CHECK:           memref.store
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:    %[[I1:.*]] = arith.constant 1 : index
// CHECK-NEXT:    %[[YA2:.*]] = memref.load %[[STATE]][%[[I1]]] : memref<2xi32>
// CHECK-NEXT:    "test.op"(%[[RP]], %[[YA2]])
func.func @flag_check_kills_yielded_at(%qd_state: memref<2xi32>) attributes {qd.lowered} {
  %i0 = arith.constant 0 : index
  %rp = memref.load %qd_state[%i0] : memref<2xi32>
  %i1 = arith.constant 1 : index
  %ya = memref.load %qd_state[%i1] : memref<2xi32>
  %go = "test.op"(%rp, %ya) : (i32, i32) -> i1
  scf.if %go {
    %slot = arith.constant 0 : i32
    %k = arith.constant 1 : index
    memref.store %slot, %qd_state[%k] : memref<2xi32>
  } {qd.guard_slot = 0 : i64}
  %rp2 = memref.load %qd_state[%i0] : memref<2xi32>
  %j1 = arith.constant 1 : index
  %ya2 = memref.load %qd_state[%j1] : memref<2xi32>
  "test.op"(%rp2, %ya2) : (i32, i32) -> ()
  func.return
}

// -----

// The do-while reset (a store to word 0) kills resume_point but not yielded_at.
// CHECK-LABEL: func.func @reset_kills_resume_point
// CHECK-SAME:    (%[[STATE:.*]]: memref<2xi32>)
// CHECK-NEXT:    %[[I0:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[I1:.*]] = arith.constant 1 : index
// CHECK-NEXT:    memref.load %[[STATE]][%[[I0]]] : memref<2xi32>
// CHECK-NEXT:    %[[YA:.*]] = memref.load %[[STATE]][%[[I1]]] : memref<2xi32>
// CHECK:         memref.store
// CHECK-NEXT:    %[[RP2:.*]] = memref.load %[[STATE]][%[[I0]]] : memref<2xi32>
// CHECK-NEXT:    "test.op"(%[[RP2]], %[[YA]])
func.func @reset_kills_resume_point(%qd_state: memref<2xi32>) attributes {qd.lowered} {
  %i0 = arith.constant 0 : index
  %i1 = arith.constant 1 : index
  %rp = memref.load %qd_state[%i0] : memref<2xi32>
  %ya = memref.load %qd_state[%i1] : memref<2xi32>
  "test.op"(%rp, %ya) : (i32, i32) -> ()
  %zero = arith.constant 0 : i32
  memref.store %zero, %qd_state[%i0] : memref<2xi32>
  %rp2 = memref.load %qd_state[%i0] : memref<2xi32>
  %ya2 = memref.load %qd_state[%i1] : memref<2xi32>
  "test.op"(%rp2, %ya2) : (i32, i32) -> ()
  func.return
}
