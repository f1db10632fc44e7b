// RUN: not qd-opt %s 2>&1 >/dev/null | FileCheck %s
// Text that is not MLIR is one located error line.

// CHECK: unparsable.mlir:7:8: error: Operation this is not registered
// CHECK-NOT: Traceback
func.func @f() {
  this is not mlir
}
