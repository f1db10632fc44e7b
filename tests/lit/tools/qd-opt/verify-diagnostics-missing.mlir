// RUN: not qd-opt %s --verify-diagnostics 2>&1 >/dev/null | FileCheck %s
// An expectation no error meets fails the run: a negative test can never pass silently.

// CHECK: verify-diagnostics-missing.mlir:9: error: expected error "slot must be >= 0" was not produced (at line 10)
func.func @valid() {
  // This region is valid, so the expected error below never happens.
  //
  //
  // expected-error@+1 {{slot must be >= 0}}
  checkpoint.region slot 3 {}
  func.return
}
