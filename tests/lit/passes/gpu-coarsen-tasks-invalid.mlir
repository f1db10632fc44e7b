// RUN: not qd-opt %s -p 'gpu-coarsen-tasks{factor=0}' 2>&1 | FileCheck %s
// A thread runs at least one iteration.
// CHECK: error: gpu-coarsen-tasks: factor must be >= 1, got 0
func.func @k() {
  func.return
}
