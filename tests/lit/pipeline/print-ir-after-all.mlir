// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=cpu},cpu-interrupt-checks,checkpoint-merge-guards,checkpoint-reuse-state-loads,cpu-parallel-sections,cpu-parallel-threshold,canonicalize,cse' --print-ir-after-all 2>&1 >/dev/null | FileCheck %s
// The default pipeline's passes run in this order; after checkpoint-lower no checkpoint op
// is left.

// CHECK:      IR Dump After checkpoint-number
// CHECK:        checkpoint.region slot 0 {
// CHECK:      IR Dump After checkpoint-verify
// CHECK:      IR Dump After checkpoint-lower //
// CHECK-NOT:    checkpoint.region
// CHECK:      IR Dump After checkpoint-merge-guards
// CHECK:      IR Dump After checkpoint-reuse-state-loads
// CHECK:      IR Dump After cpu-parallel-sections
// CHECK:      IR Dump After cpu-parallel-threshold
// CHECK:      IR Dump After canonicalize
// CHECK:      IR Dump After cse
// CHECK:        qd.guard_slot = 0 : i64
func.func @one_task(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  func.return
}
