// RUN: not qd-opt %s --verify-diagnostics 2>&1 >/dev/null | FileCheck %s
// The right message on the wrong line does not count.

// CHECK: verify-diagnostics-wrong-line.mlir:10:3: error: unexpected error: checkpoint.region slot must be >= 0
func.func @wrong_line() {
  // expected-error@+2 {{slot must be >= 0}}
  func.return
}
func.func @other() {
  checkpoint.region slot -1 {}
  func.return
}
