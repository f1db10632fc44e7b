// RUN: not qd-opt %s --split-input-file --verify-diagnostics 2>&1 >/dev/null | FileCheck %s
// An error in a chunk without expectations fails the run, naming the chunk's absolute line.

// CHECK: verify-diagnostics-unexpected.mlir:12:3: error: unexpected error: checkpoint.do_while condition must be a 0-d i32 memref
func.func @fine() {
  func.return
}

// -----

func.func @bad(%c: memref<i64>) {
  checkpoint.do_while %c : memref<i64> {}
  func.return
}
