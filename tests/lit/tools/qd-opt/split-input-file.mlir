// RUN: qd-opt %s --split-input-file | FileCheck %s
// Each `// -----` chunk is parsed and printed on its own, and the output keeps the separators.

// CHECK:      func.func @first
// CHECK:      // -----
// CHECK:      func.func @second
func.func @first() {
  func.return
}

// -----

func.func @second() {
  func.return
}
