// RUN: qd-opt %s --pass-pipeline='builtin.module(cse,dce)' | FileCheck %s
// RUN: qd-opt %s --pass-pipeline=cse,dce | FileCheck %s
// RUN: qd-opt %s -p cse,dce | FileCheck %s
// --pass-pipeline takes mlir-opt's `builtin.module(...)` form as well as a flat list, like -p.

// CHECK-LABEL: func.func @f
// CHECK-NOT:     arith.constant
func.func @f() {
  %a = arith.constant 1 : i32
  %b = arith.constant 1 : i32
  func.return
}
