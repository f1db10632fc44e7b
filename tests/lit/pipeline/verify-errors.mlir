// RUN: not qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=cpu},cpu-interrupt-checks,checkpoint-merge-guards,checkpoint-reuse-state-loads,cpu-parallel-sections,cpu-parallel-threshold,canonicalize,cse' 2>&1 | FileCheck %s
// A kernel the rules reject stops the pipeline at checkpoint-verify, with a located error.

// CHECK: verify-errors.mlir:[[# @LINE + 3]]:3: error: checkpoint-verify: label 7 is already used by another checkpoint (slot 0); this one is slot 1
func.func @duplicate_label() {
  checkpoint.region label 7 {}
  checkpoint.region label 7 {}
  func.return
}
