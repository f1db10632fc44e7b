// RUN: qd-opt %s -p checkpoint-verify --verify-diagnostics
// RUN: not qd-opt %s -p checkpoint-verify 2>&1 | FileCheck %s
// The pass reports every problem of a kernel, each at its op, before it fails; without
// --verify-diagnostics qd-opt shows the first one as a located error.

// CHECK: checkpoint-verify-report-all-invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: checkpoint-verify:
func.func @many_problems(%flag: memref<i32>, %out: memref<i32>) {
  %zero = arith.constant 0 : i32
  checkpoint.region label 4 yield_on 0 "flag" {
    // expected-error@+1 {{cannot be nested inside another checkpoint.region}}
    checkpoint.region label 5 {}
  }
  // expected-error@+1 {{label 4 is already used by another checkpoint}}
  checkpoint.region label 4 {}
  // expected-error@+1 {{memref.store is not allowed at the kernel top level}}
  memref.store %zero, %out[] : memref<i32>
  func.return
}
