// RUN: qd-opt %s --mlir-print-debuginfo | FileCheck %s
// Every parsed op keeps its file:line:col, printed with --mlir-print-debuginfo; explicit
// `loc(...)` annotations are kept as written.

// CHECK: checkpoint.region label 4 {
// CHECK: } loc("{{.*}}debuginfo.mlir":9:3)
// CHECK: func.return loc("kernel.py":3:5)
func.func @f() {
  checkpoint.region label 4 {}
  func.return loc("kernel.py":3:5)
}
