// RUN: not qd-opt %t.does-not-exist.mlir 2>&1 | FileCheck %s
// A missing input file is one line naming it.

// CHECK: qd-opt: error: cannot open '{{.*}}does-not-exist.mlir': No such file or directory
