// RUN: qd-opt %s -p checkpoint-lower,checkpoint-merge-guards --split-input-file | FileCheck %s
// Consecutive guards of one slot (or consecutive serial guards) become one guard when the
// earlier bodies write no launch state: the second test would give the first one's answer.

// The two tasks of a checkpoint without yield_on share one guard, in order; the second
// test is left dead for canonicalize.
// CHECK-LABEL: func.func @two_tasks_one_guard
// CHECK:         %[[GO:.*]] = arith.andi
// CHECK-NOT:     scf.if
// CHECK:         scf.if %[[GO]] {
// CHECK-NEXT:      scf.parallel
// CHECK:             "test.op"(%{{.*}}) {first}
// CHECK:           }
// CHECK-NEXT:      scf.parallel
// CHECK:             "test.op"(%{{.*}}) {second}
// CHECK:           }
// CHECK-NEXT:    }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:    func.return
func.func @two_tasks_one_guard(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 label 3 {
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

// A run of three merges into the first guard; pure glue between the tasks moves above it.
// CHECK-LABEL: func.func @three_tasks_and_glue
// CHECK:         %[[HALF:.*]] = arith.divui
// CHECK:         scf.if
// CHECK-NEXT:      scf.parallel
// CHECK:             "test.op"(%{{.*}}) {first}
// CHECK:           scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[HALF]]) step (%{{.*}})
// CHECK:             "test.op"(%{{.*}}) {second}
// CHECK:           scf.parallel
// CHECK:             "test.op"(%{{.*}}) {third}
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK-NOT:     scf.if
func.func @three_tasks_and_glue(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %two = arith.constant 2 : index
  checkpoint.region slot 0 label 3 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) {first} : (index) -> ()
      scf.reduce
    }
    %half = arith.divui %n, %two : index
    scf.parallel (%i) = (%c0) to (%half) step (%c1) {
      "test.op"(%i) {second} : (index) -> ()
      scf.reduce
    }
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) {third} : (index) -> ()
      scf.reduce
    }
  }
  func.return
}

// -----

// Consecutive serial statements share one serial guard, in order.
// CHECK-LABEL: func.func @serial_statements
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      "test.op"() {a}
// CHECK-NEXT:      "test.op"() {b}
// CHECK-NEXT:      "test.op"() {c}
// CHECK-NEXT:    }{qd.guard_serial}
// CHECK-NEXT:    func.return
func.func @serial_statements() {
  checkpoint.serial {
    "test.op"() {a} : () -> ()
  }
  checkpoint.serial {
    "test.op"() {b} : () -> ()
  }
  checkpoint.serial {
    "test.op"() {c} : () -> ()
  }
  func.return
}

// -----

// Merging works inside a do-while body too.
// CHECK-LABEL: func.func @in_a_loop
// CHECK:         scf.while
// CHECK:           scf.if %{{.*}} {
// CHECK-NEXT:        "test.op"() {a}
// CHECK-NEXT:        "test.op"() {b}
// CHECK-NEXT:      }{qd.guard_slot = 0 : i64}
// CHECK-NOT:       scf.if
// CHECK:           scf.condition
func.func @in_a_loop(%cond: memref<i32>) {
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.region slot 0 label 1 {
      checkpoint.serial {
        "test.op"() {a} : () -> ()
      }
      checkpoint.serial {
        "test.op"() {b} : () -> ()
      }
    }
  }
  func.return
}
