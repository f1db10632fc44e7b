// RUN: qd-opt %s -p checkpoint-reuse-state-loads --split-input-file | FileCheck %s
// Loads that must stay: another block, a possible write of unknown index, an unknown use of
// the state, or a function that is not lowered.

// A load in a nested block is left alone (the pass works within one block).
// CHECK-LABEL: func.func @nested_block
// CHECK:         memref.load
// CHECK:         scf.if
// CHECK-NEXT:      memref.load
func.func @nested_block(%qd_state: memref<2xi32>, %c: i1) attributes {qd.lowered} {
  %i1 = arith.constant 1 : index
  %ya = memref.load %qd_state[%i1] : memref<2xi32>
  scf.if %c {
    %ya2 = memref.load %qd_state[%i1] : memref<2xi32>
    "test.op"(%ya2) : (i32) -> ()
  }
  "test.op"(%ya) : (i32) -> ()
  func.return
}

// -----

// A store at an index not known as a constant may write any word.
// CHECK-LABEL: func.func @store_at_unknown_index
// CHECK-COUNT-2: memref.load %{{.*}}[%{{.*}}] : memref<2xi32>
func.func @store_at_unknown_index(%qd_state: memref<2xi32>, %k: index) attributes {qd.lowered} {
  %i0 = arith.constant 0 : index
  %rp = memref.load %qd_state[%i0] : memref<2xi32>
  %zero = arith.constant 0 : i32
  memref.store %zero, %qd_state[%k] : memref<2xi32>
  %rp2 = memref.load %qd_state[%i0] : memref<2xi32>
  "test.op"(%rp, %rp2) : (i32, i32) -> ()
  func.return
}

// -----

// An op that takes the state (a call, say) may write it.
// CHECK-LABEL: func.func @state_passed_on
// CHECK:         memref.load
// CHECK:         "test.op"(%{{.*}}) {writes_maybe}
// CHECK-NEXT:    memref.load
func.func @state_passed_on(%qd_state: memref<2xi32>) attributes {qd.lowered} {
  %i0 = arith.constant 0 : index
  %rp = memref.load %qd_state[%i0] : memref<2xi32>
  "test.op"(%qd_state) {writes_maybe} : (memref<2xi32>) -> ()
  %rp2 = memref.load %qd_state[%i0] : memref<2xi32>
  "test.op"(%rp, %rp2) : (i32, i32) -> ()
  func.return
}

// -----

// Without `qd.lowered` the last argument is not the launch state.
// CHECK-LABEL: func.func @not_lowered
// CHECK-COUNT-2: memref.load
func.func @not_lowered(%buffer: memref<2xi32>) {
  %i0 = arith.constant 0 : index
  %a = memref.load %buffer[%i0] : memref<2xi32>
  %b = memref.load %buffer[%i0] : memref<2xi32>
  "test.op"(%a, %b) : (i32, i32) -> ()
  func.return
}
