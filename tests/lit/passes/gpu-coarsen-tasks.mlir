// RUN: qd-opt %s -p gpu-coarsen-tasks --split-input-file | FileCheck %s
// RUN: qd-opt %s -p 'gpu-coarsen-tasks{factor=1}' --split-input-file \
// RUN:   | FileCheck %s --check-prefix=ONE
// On a gpu target each thread of a large task runs `factor` iterations, t + k*T for
// k = 0..factor-1, with their operations interleaved (loads first), so more memory accesses
// are in flight; the tail runs each iteration under its own bounds test.

// CHECK-LABEL: func.func @a_large_task
// CHECK-SAME:    (%[[N:.*]]: index, %[[A:.*]]: memref<?xf32>, %[[B:.*]]: memref<?xf32>, %[[STATE:.*]]: memref<2xi32>)
// CHECK:         %[[TRIPS:.*]] = arith.maxsi
// CHECK:         %[[FOUR:.*]] = arith.constant 4 : index
// CHECK-NEXT:    %[[T:.*]] = arith.ceildivui %[[TRIPS]], %[[FOUR]] : index
// CHECK-NEXT:    scf.parallel (%[[THREAD:thread]]) = (%{{.*}}) to (%[[T]]) step (%{{.*}}) {
// CHECK:           memref.load %[[STATE]]
// CHECK:           scf.if %{{.*}} {
// CHECK:             arith.addi %[[THREAD]]
// CHECK:             %[[INSIDE:.*]] = arith.cmpi slt, %{{.*}}, %[[TRIPS]] : index
// CHECK-NEXT:        scf.if %[[INSIDE]] {
// CHECK-NEXT:          memref.load %[[A]]
// CHECK-NEXT:          memref.load %[[A]]
// CHECK-NEXT:          memref.load %[[A]]
// CHECK-NEXT:          memref.load %[[A]]
// CHECK-NEXT:          arith.addf
// CHECK-NEXT:          arith.addf
// CHECK-NEXT:          arith.addf
// CHECK-NEXT:          arith.addf
// CHECK-NEXT:          memref.store %{{.*}}, %[[B]]
// CHECK-NEXT:          memref.store %{{.*}}, %[[B]]
// CHECK-NEXT:          memref.store %{{.*}}, %[[B]]
// CHECK-NEXT:          memref.store %{{.*}}, %[[B]]
// CHECK-NEXT:        } else {
// CHECK-COUNT-4:       scf.if
// CHECK:             }
// CHECK:           }{qd.guard_slot = 0 : i64}
// ONE-LABEL:   func.func @a_large_task
// ONE:           scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// ONE-NOT:       arith.ceildivui
func.func @a_large_task(%n: index, %a: memref<?xf32>, %b: memref<?xf32>, %state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %rp = memref.load %state[%c0] : memref<2xi32>
    %zero = arith.constant 0 : i32
    %run = arith.cmpi sle, %rp, %zero : i32
    scf.if %run {
      %x = memref.load %a[%i] : memref<?xf32>
      %y = arith.addf %x, %x : f32
      memref.store %y, %b[%i] : memref<?xf32>
    } {qd.guard_slot = 0 : i64}
    scf.reduce
  }
  func.return
}

// -----

// A one-iteration task (a serial statement or a flag check) and a small constant range keep
// one iteration per thread: coarsening them would only idle threads.
// CHECK-LABEL: func.func @small_tasks_stay
// CHECK-NOT:     arith.ceildivui
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
func.func @small_tasks_stay(%a: memref<?xf32>, %state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1000 = arith.constant 1000 : index
  scf.parallel (%i) = (%c0) to (%c1) step (%c1) {
    %rp = memref.load %state[%c0] : memref<2xi32>
    %zero = arith.constant 0 : i32
    %run = arith.cmpi sle, %rp, %zero : i32
    scf.if %run {
      %x = arith.constant 1.0 : f32
      memref.store %x, %a[%i] : memref<?xf32>
    } {qd.guard_slot = 0 : i64}
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c1000) step (%c1) {
    %rp = memref.load %state[%c0] : memref<2xi32>
    %zero = arith.constant 0 : i32
    %run = arith.cmpi sle, %rp, %zero : i32
    scf.if %run {
      %x = arith.constant 1.0 : f32
      memref.store %x, %a[%i] : memref<?xf32>
    } {qd.guard_slot = 1 : i64}
    scf.reduce
  }
  func.return
}

// -----

// Two-dimensional tasks, tasks with reductions and bodies that use the index before the guard
// are left as they are.
// CHECK-LABEL: func.func @other_shapes_stay
// CHECK-NOT:     arith.ceildivui
func.func @other_shapes_stay(%n: index, %a: memref<?x?xf32>, %v: memref<?xf32>, %state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %n) step (%c1, %c1) {
    %rp = memref.load %state[%c0] : memref<2xi32>
    %zero = arith.constant 0 : i32
    %run = arith.cmpi sle, %rp, %zero : i32
    scf.if %run {
      %x = arith.constant 1.0 : f32
      memref.store %x, %a[%i, %j] : memref<?x?xf32>
    } {qd.guard_slot = 0 : i64}
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %early = memref.load %v[%i] : memref<?xf32>
    %rp = memref.load %state[%c0] : memref<2xi32>
    %zero = arith.constant 0 : i32
    %run = arith.cmpi sle, %rp, %zero : i32
    scf.if %run {
      memref.store %early, %v[%i] : memref<?xf32>
    } {qd.guard_slot = 1 : i64}
    scf.reduce
  }
  func.return
}
