// RUN: not qd-opt %s --split-input-file 2>&1 >/dev/null | FileCheck %s
// Without --verify-diagnostics, an error in one chunk is reported with its absolute line, the
// other chunks still run, and the exit code is non-zero.

// CHECK: split-input-file-errors.mlir:14:3: error: checkpoint.region slot must be >= 0, got -2
// CHECK-NOT: Traceback
func.func @fine() {
  func.return
}

// -----

func.func @broken() {
  checkpoint.region slot -2 {}
  func.return
}
