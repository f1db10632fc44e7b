// RUN: qd-opt %s -p checkpoint-number --split-input-file | FileCheck %s
// checkpoint-number wraps every top-level task in an implicit checkpoint and numbers all
// checkpoints of a kernel 0, 1, 2, ... in source order (docs/architecture.md §2).

// Implicit and explicit checkpoints share one numbering: `for; with cp(10); for; with cp(20)`
// gives slots 0..3 with labels [none, 10, none, 20] (docs/semantics.md's numbering example).
// CHECK-LABEL: func.func @mixed_implicit_and_explicit
// CHECK:         checkpoint.region slot 0 {
// CHECK-NEXT:      scf.parallel
// CHECK:         checkpoint.region slot 1 label 10 yield_on 1 "flag" {
// CHECK:         checkpoint.region slot 2 {
// CHECK-NEXT:      scf.parallel
// CHECK:         checkpoint.region slot 3 label 20 yield_on 1 "flag" {
// CHECK:         func.return
func.func @mixed_implicit_and_explicit(%n: index, %flag: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  checkpoint.region label 10 yield_on 1 "flag" {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  checkpoint.region label 20 yield_on 1 "flag" {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  func.return
}

// -----

// An explicit checkpoint with two tasks is one slot: its tasks are not wrapped again, and the
// implicit checkpoint after it takes the next slot.
// CHECK-LABEL: func.func @region_with_two_tasks
// CHECK:         checkpoint.region slot 0 label 1 {
// CHECK-NEXT:      scf.parallel
// CHECK:           scf.parallel
// CHECK:           }
// CHECK-NEXT:    }
// CHECK-NEXT:    checkpoint.region slot 1 {
// CHECK-NOT:     checkpoint.region
// CHECK:         func.return
func.func @region_with_two_tasks(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region label 1 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  func.return
}

// -----

// Serial statements take no slot, and a loop nested in a task is part of that task.
// CHECK-LABEL: func.func @serial_and_nested_loops
// CHECK:         checkpoint.serial {
// CHECK-NEXT:      scf.parallel
// CHECK:         checkpoint.region slot 0 {
// CHECK-NEXT:      scf.parallel
// CHECK-NEXT:        scf.parallel
// CHECK-NOT:     checkpoint.region
// CHECK:         func.return
func.func @serial_and_nested_loops(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.serial {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.parallel (%j) = (%c0) to (%n) step (%c1) {
      "test.op"(%i, %j) : (index, index) -> ()
      scf.reduce
    }
    scf.reduce
  }
  func.return
}

// -----

// Slots already present are renumbered into source order; each function counts from 0.
// CHECK-LABEL: func.func @stale_slots
// CHECK:         checkpoint.region slot 0 label 5 {
// CHECK:         checkpoint.region slot 1 label 6 {
// CHECK-LABEL: func.func @second_kernel
// CHECK:         checkpoint.region slot 0 label 5 {
func.func @stale_slots() {
  checkpoint.region slot 4 label 5 {}
  checkpoint.region slot 0 label 6 {}
  func.return
}
func.func @second_kernel() {
  checkpoint.region label 5 {}
  func.return
}

// -----

// A kernel without tasks or checkpoints is left as it is.
// CHECK-LABEL: func.func @nothing_to_number
// CHECK-NEXT:    %{{.*}} = arith.constant 0 : i32
// CHECK-NEXT:    func.return
func.func @nothing_to_number() {
  %zero = arith.constant 0 : i32
  func.return
}

