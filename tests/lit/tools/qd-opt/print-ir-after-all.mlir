// RUN: qd-opt %s -p cse,canonicalize --print-ir-after-all 2>&1 >/dev/null | FileCheck %s
// --print-ir-after-all prints, on stderr, the IR after every pass under mlir-opt's banner.

// CHECK:      // -----// IR Dump After cse //----- //
// CHECK:      %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-NEXT: arith.addi %[[ONE]], %[[ONE]] : i32
// CHECK:      // -----// IR Dump After canonicalize //----- //
// CHECK:      arith.constant 2 : i32
// CHECK-NOT:  arith.addi
func.func @folds() {
  %a = arith.constant 1 : i32
  %b = arith.constant 1 : i32
  %c = arith.addi %a, %b : i32
  "test.op"(%c) : (i32) -> ()
  func.return
}
