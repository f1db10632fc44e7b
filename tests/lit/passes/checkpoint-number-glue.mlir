// RUN: qd-opt %s -p checkpoint-number --split-input-file | FileCheck %s
// Only the task moves into its region: the pure ops that compute its bounds stay where they
// are, before the region, and nothing is removed (even an unused constant).

// CHECK-LABEL: func.func @bounds_stay_outside
// CHECK-SAME:    (%[[A:.*]]: memref<?xf32>)
// CHECK-NEXT:    %[[UNUSED:.*]] = arith.constant 42 : i32
// CHECK-NEXT:    %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C1:.*]] = arith.constant 1 : index
// CHECK-NEXT:    %[[N:.*]] = memref.dim %[[A]], %[[C0]] : memref<?xf32>
// CHECK-NEXT:    checkpoint.region slot 0 {
// CHECK-NEXT:      scf.parallel (%{{.*}}) = (%[[C0]]) to (%[[N]]) step (%[[C1]])
// CHECK:         }
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[TWO:.*]] = arith.constant 2 : index
// CHECK-NEXT:    %[[HALF:.*]] = arith.divui %[[N]], %[[TWO]] : index
// CHECK-NEXT:    checkpoint.region slot 1 {
// CHECK-NEXT:      scf.parallel (%{{.*}}) = (%[[C0]]) to (%[[HALF]]) step (%[[C1]])
func.func @bounds_stay_outside(%a: memref<?xf32>) {
  %unused = arith.constant 42 : i32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %x = memref.load %a[%i] : memref<?xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %a[%i] : memref<?xf32>
    scf.reduce
  }
  %two = arith.constant 2 : index
  %half = arith.divui %n, %two : index
  scf.parallel (%i) = (%c0) to (%half) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  func.return
}

// -----

// A two-dimensional task is one task, and one slot.
// CHECK-LABEL: func.func @two_dimensional_task
// CHECK:         checkpoint.region slot 0 {
// CHECK-NEXT:      scf.parallel (%{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}) to (%{{.*}}, %{{.*}}) step (%{{.*}}, %{{.*}})
// CHECK-NOT:     checkpoint.region
func.func @two_dimensional_task(%n: index, %m: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %m) step (%c1, %c1) {
    "test.op"(%i, %j) : (index, index) -> ()
    scf.reduce
  }
  func.return
}
