// RUN: qd-opt %s -p gpu-device-loops --split-input-file | FileCheck %s
// Every outermost do-while of a lowered GPU kernel gets a single-block kernel that runs it
// whole: tasks become block-strided loops, one-thread work runs on thread 0, a barrier after
// each, and one at the start of every iteration. The runtime launches it instead of the loop
// when the loop's tasks are small (runtime/cuda_plan.py, loop_kernel_for).

// CHECK-LABEL: func.func @k(
// CHECK:         scf.if %{{.*}} {
// CHECK:           scf.while
// CHECK:         }{qd.guard_serial, qd.loop_kernel = "k__qd_loop0"}
// CHECK-LABEL: func.func @k__qd_loop0
// CHECK-SAME:    (%[[X:.*]]: memref<?xf32>, %[[STEPS:.*]]: memref<i32>, %[[STATE:.*]]: memref<2xi32>) attributes {qd.device_loop}
// CHECK:         %[[THREADS:.*]] = arith.constant 256 : index
// CHECK:         scf.parallel (%[[TID:.*]]) = (%{{.*}}) to (%[[THREADS]]) step (%{{.*}}) {
// CHECK-NEXT:      %[[FIRST:.*]] = arith.cmpi eq, %[[TID]], %{{.*}} : index
// CHECK:           memref.load %[[STATE]]
// CHECK:           scf.if %{{.*}} {
// CHECK-NEXT:        scf.while () : () -> () {
// CHECK-NEXT:          "gpu.barrier"() : () -> ()
// CHECK:               %[[START:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK:               %[[STRIDE:.*]] = arith.muli %{{.*}}, %{{.*}} : index
// CHECK-NEXT:          scf.for %{{.*}} = %[[START]] to %{{.*}} step %[[STRIDE]] {
// CHECK:               }
// CHECK-NEXT:          "gpu.barrier"() : () -> ()
// CHECK-NEXT:          scf.if %[[FIRST]] {
// CHECK:                 memref.store %{{.*}}, %[[STEPS]][] : memref<i32>
// CHECK-NEXT:          }
// CHECK-NEXT:          "gpu.barrier"() : () -> ()
// CHECK:               scf.if %[[FIRST]] {
// CHECK-NEXT:            memref.store %{{.*}}, %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK-NEXT:          }
// CHECK-NEXT:          "gpu.barrier"() : () -> ()
// CHECK-NEXT:          memref.load %[[STEPS]][] : memref<i32>
// CHECK:               scf.condition
func.func @k(%x: memref<?xf32>, %steps: memref<i32>, %state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %none = arith.constant -1 : i32
  %ya = memref.load %state[%c1] : memref<2xi32>
  %run = arith.cmpi eq, %ya, %none : i32
  scf.if %run {
    scf.while () : () -> () {
      %n = memref.dim %x, %c0 : memref<?xf32>
      scf.parallel (%i) = (%c0) to (%n) step (%c1) {
        %v = memref.load %x[%i] : memref<?xf32>
        %w = arith.addf %v, %v : f32
        memref.store %w, %x[%i] : memref<?xf32>
        scf.reduce
      }
      scf.parallel (%j) = (%c0) to (%c1) step (%c1) {
        %s = memref.load %steps[] : memref<i32>
        %one = arith.constant 1 : i32
        %t = arith.subi %s, %one : i32
        memref.store %t, %steps[] : memref<i32>
        scf.reduce
      }
      %zero = arith.constant 0 : i32
      memref.store %zero, %state[%c0] : memref<2xi32>
      %left = memref.load %steps[] : memref<i32>
      %more = arith.cmpi ne, %left, %zero : i32
      scf.condition(%more)
    } do {
      scf.yield
    }
  } {qd.guard_serial}
  func.return
}

// -----

// A loop the one block cannot run (here a two-dimensional task) keeps its host form and says
// why; no function is added.
// CHECK-LABEL: func.func @two_d
// CHECK:         }{qd.guard_serial, qd.loop_kernel_unavailable = "the loop holds a task of several dimensions or with reductions"}
// CHECK-NOT:     func.func @two_d__qd_loop
func.func @two_d(%x: memref<?x?xf32>, %steps: memref<i32>, %state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?x?xf32>
  %ya = memref.load %state[%c1] : memref<2xi32>
  %none = arith.constant -1 : i32
  %run = arith.cmpi eq, %ya, %none : i32
  scf.if %run {
    scf.while () : () -> () {
      scf.parallel (%i, %j) = (%c0, %c0) to (%n, %n) step (%c1, %c1) {
        %v = arith.constant 1.0 : f32
        memref.store %v, %x[%i, %j] : memref<?x?xf32>
        scf.reduce
      }
      %left = memref.load %steps[] : memref<i32>
      %zero = arith.constant 0 : i32
      %more = arith.cmpi ne, %left, %zero : i32
      scf.condition(%more)
    } do {
      scf.yield
    }
  } {qd.guard_serial}
  func.return
}
