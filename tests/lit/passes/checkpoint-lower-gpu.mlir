// RUN: qd-opt %s -p 'checkpoint-lower{target=gpu}' --split-input-file | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-lower{target=cuda}' --split-input-file | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-lower{target=rocm}' --split-input-file | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-lower{target=gpu}' --split-input-file \
// RUN:   | FileCheck %s --check-prefix=HOST --strict-whitespace
// On a gpu target the guard moves inside each task, so every device kernel tests the state
// itself and exits early; the host never waits on it (docs/architecture.md §3).

// CHECK-LABEL: func.func @guard_inside_the_kernel
// CHECK-SAME:    (%[[N:.*]]: index, %[[A:.*]]: memref<?xf32>, %[[STATE:.*]]: memref<2xi32>)
// CHECK:         scf.parallel (%[[I:[^)]+]]) = (%{{.*}}) to (%[[N]]) step (%{{.*}}) {
// CHECK-NEXT:      %[[I0:.*]] = arith.constant 0 : index
// CHECK-NEXT:      %[[RP:.*]] = memref.load %[[STATE]][%[[I0]]] : memref<2xi32>
// CHECK-NEXT:      %[[SLOT:.*]] = arith.constant 0 : i32
// CHECK-NEXT:      %[[REACHED:.*]] = arith.cmpi sle, %[[RP]], %[[SLOT]] : i32
// CHECK-NEXT:      %[[I1:.*]] = arith.constant 1 : index
// CHECK-NEXT:      %[[YA:.*]] = memref.load %[[STATE]][%[[I1]]] : memref<2xi32>
// CHECK-NEXT:      %[[NONE:.*]] = arith.constant -1 : i32
// CHECK-NEXT:      %[[NOT_YIELDED:.*]] = arith.cmpi eq, %[[YA]], %[[NONE]] : i32
// CHECK-NEXT:      %[[GO:.*]] = arith.andi %[[REACHED]], %[[NOT_YIELDED]] : i1
// CHECK-NEXT:      scf.if %[[GO]] {
// CHECK-NEXT:        %[[X:.*]] = memref.load %[[A]][%[[I]]] : memref<?xf32>
// CHECK-NEXT:        %[[Y:.*]] = arith.addf %[[X]], %[[X]] : f32
// CHECK-NEXT:        memref.store %[[Y]], %[[A]][%[[I]]] : memref<?xf32>
// CHECK-NEXT:      }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return
// CHECK-NOT:     checkpoint.
func.func @guard_inside_the_kernel(%n: index, %a: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      %x = memref.load %a[%i] : memref<?xf32>
      %y = arith.addf %x, %x : f32
      memref.store %y, %a[%i] : memref<?xf32>
      scf.reduce
    }
  }
  func.return
}

// -----

// The flag check of a yielding checkpoint runs after the task as a one-iteration kernel,
// under the same slot guard (first wins: only a launch that has not yielded records one).
// CHECK-LABEL: func.func @flag_check_is_a_kernel
// CHECK-SAME:    (%[[N:.*]]: index, %[[FLAG:.*]]: memref<i32>, %[[STATE:.*]]: memref<2xi32>)
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[N]]) step (%{{.*}})
// CHECK:           "test.op"
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK:         %[[LB:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[UB:.*]] = arith.constant 1 : index
// CHECK-NEXT:    scf.parallel (%{{.*}}) = (%[[LB]]) to (%[[UB]]) step (%[[UB]])
// CHECK:           scf.if %{{.*}} {
// CHECK-NEXT:        %[[F:.*]] = memref.load %[[FLAG]][] : memref<i32>
// CHECK:             scf.if %{{.*}} {
// CHECK:               memref.store %{{.*}}, %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:           }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:      scf.reduce
// CHECK-NOT:     checkpoint.
func.func @flag_check_is_a_kernel(%n: index, %flag: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 label 4 yield_on 1 "flag" {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  func.return
}

// -----

// Host code holds nothing but scf.parallel ops and glue: no guard is left outside a kernel.
// (Function-level ops print at 4 spaces; kernel bodies deeper.)
// HOST-LABEL: func.func @only_kernels_on_the_host
// HOST-NOT:   {{^    scf.if}}
// HOST:       {{^    func.return}}
func.func @only_kernels_on_the_host(%n: index, %flag: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.reduce
    }
  }
  checkpoint.serial {}
  checkpoint.region slot 1 label 1 yield_on 1 "flag" {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.reduce
    }
    checkpoint.serial {}
  }
  func.return
}
