// RUN: qd-opt %s -p checkpoint-number --mlir-print-debuginfo | FileCheck %s

// An implicit checkpoint takes its task's source location: an error reported at the region
// points at the user's loop.
// CHECK-LABEL: func.func @located_task
// CHECK:         checkpoint.region slot 0 {
// CHECK:           scf.parallel
// CHECK:           } loc("kernel.py":12:5)
// CHECK-NEXT:    } loc("kernel.py":12:5)
func.func @located_task(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.reduce
  } loc("kernel.py":12:5)
  func.return
}
