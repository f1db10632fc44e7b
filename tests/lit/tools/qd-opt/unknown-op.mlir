// RUN: not qd-opt %s 2>&1 >/dev/null | FileCheck %s
// An op of an unknown dialect names the op and its line.

// CHECK: unknown-op.mlir:8:3: error: Operation nosuch.op is not registered
// CHECK-NOT: Traceback
func.func @f() {
  nosuch.op
  func.return
}
