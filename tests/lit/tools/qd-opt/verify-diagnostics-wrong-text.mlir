// RUN: not qd-opt %s --verify-diagnostics 2>&1 >/dev/null | FileCheck %s
// An error whose text differs from the expectation is both unexpected and unmet.

// CHECK-DAG: error: unexpected error: checkpoint.region slot must be >= 0, got -1
// CHECK-DAG: error: expected error "a different message" was not produced
func.func @wrong_text() {
  // expected-error@+1 {{a different message}}
  checkpoint.region slot -1 {}
  func.return
}
