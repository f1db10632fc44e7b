// RUN: qd-opt %s -p checkpoint-lower --split-input-file | FileCheck %s
// How do-while loops meet resume (docs/semantics.md rules 1, 3 and 6): a loop runs iff its last slot
// would (`resume_point <= last && yielded_at == -1`), so a resume past the loop skips it, and
// its per-iteration reset of resume_point cannot make the slots between the loop and the
// resume point run again. Inside the loop, only the first iteration of a resume is partial.

// CHECK-LABEL: func.func @loop_then_checkpoints
// CHECK:         %[[LAST:.*]] = arith.constant 1 : i32
// CHECK-NEXT:    arith.cmpi sle, %{{.*}}, %[[LAST]] : i32
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      scf.while
// CHECK:           }{qd.guard_slot = 1 : i64}
// CHECK:           memref.store
// CHECK:           scf.condition
// CHECK:         }{qd.guard_slot = 1 : i64}
// CHECK:         }{qd.guard_slot = 2 : i64}
// CHECK:         }{qd.guard_slot = 3 : i64}
func.func @loop_then_checkpoints(%cond: memref<i32>, %flag: memref<i32>) {
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.region slot 0 {
      "test.op"() : () -> ()
    }
    checkpoint.region slot 1 label 1 {
      checkpoint.serial {}
    }
  }
  checkpoint.region slot 2 label 2 {
    checkpoint.serial {}
  }
  checkpoint.region slot 3 label 3 yield_on 1 "flag" {
    checkpoint.serial {}
  }
  func.return
}

// -----

// A loop without checkpoints is serial code: it runs unless a task yielded, and it resets
// nothing (a reset would re-run the slots before a resume point after it).
// CHECK-LABEL: func.func @loop_without_checkpoints
// CHECK-SAME:    %[[STATE:[^:]*]]: memref<2xi32>)
// CHECK-NOT:     arith.cmpi sle
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      scf.while () : () -> () {
// CHECK:             }{qd.guard_serial}
// CHECK-NOT:         memref.store %{{.*}}, %[[STATE]]
// CHECK:             scf.condition
// CHECK:         }{qd.guard_serial}
func.func @loop_without_checkpoints(%cond: memref<i32>) {
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.serial {
      "test.op"() : () -> ()
    }
  }
  func.return
}

// -----

// Nested loops: each is entered like its own last slot and resets resume_point after each
// of its iterations.
// CHECK-LABEL: func.func @nested_loops
// CHECK-SAME:    %[[STATE:[^:]*]]: memref<2xi32>)
// CHECK:         scf.while
// CHECK:           }{qd.guard_slot = 0 : i64}
// CHECK:           scf.if %{{.*}} {
// CHECK-NEXT:        scf.while
// CHECK:               }{qd.guard_slot = 1 : i64}
// CHECK-NEXT:          %[[Z1:.*]] = arith.constant 0 : i32
// CHECK-NEXT:          %[[I1:.*]] = arith.constant 0 : index
// CHECK-NEXT:          memref.store %[[Z1]], %[[STATE]][%[[I1]]] : memref<2xi32>
// CHECK:               scf.condition
// CHECK:           }{qd.guard_slot = 1 : i64}
// CHECK:           }{qd.guard_slot = 2 : i64}
// CHECK-NEXT:      %[[Z0:.*]] = arith.constant 0 : i32
// CHECK-NEXT:      %[[I0:.*]] = arith.constant 0 : index
// CHECK-NEXT:      memref.store %[[Z0]], %[[STATE]][%[[I0]]] : memref<2xi32>
// CHECK:           scf.condition
// CHECK:         }{qd.guard_slot = 2 : i64}
// CHECK-NEXT:    func.return
func.func @nested_loops(%outer: memref<i32>, %inner: memref<i32>) {
  checkpoint.do_while %outer : memref<i32> {
    checkpoint.region slot 0 {
      checkpoint.serial {}
    }
    checkpoint.do_while %inner : memref<i32> {
      checkpoint.region slot 1 {
        checkpoint.serial {}
      }
    }
    checkpoint.region slot 2 {
      checkpoint.serial {}
    }
  }
  func.return
}
