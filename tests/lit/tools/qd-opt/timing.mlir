// RUN: qd-opt %s -p cse,dce --timing 2>&1 >/dev/null | FileCheck %s
// --timing reports each pass's wall time and the total on stderr.

// CHECK: Execution time report
// CHECK: Total Execution Time: {{[0-9.]+}} seconds
// CHECK: ----Wall Time----  ----Name----
// CHECK: cse
// CHECK: dce
// CHECK: Total
func.func @f() {
  func.return
}
