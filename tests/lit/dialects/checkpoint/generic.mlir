// RUN: qd-opt %s --print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: qd-opt %s --print-op-generic | qd-opt | FileCheck %s --check-prefix=CUSTOM
// The generic form carries slot, label and yield_on as properties, and parses back into the
// same ops, empty bodies included.

// GENERIC:      "checkpoint.region"() <{slot = 1 : i64, label = 7 : i64, yield_on = 0 : i64, yield_on_name = "flag"}> ({
// GENERIC:      "checkpoint.do_while"(%{{.*}}) ({
// GENERIC:      "checkpoint.serial"() ({
// GENERIC-NEXT: ^bb0:
// GENERIC-NEXT: }) : () -> ()

// CUSTOM-LABEL: func.func @all_ops
// CUSTOM:         checkpoint.region slot 1 label 7 yield_on 0 "flag" {
// CUSTOM:         checkpoint.do_while %{{.*}} : memref<i32> {
// CUSTOM:           checkpoint.serial {
// CUSTOM-NEXT:      }
func.func @all_ops(%flag: memref<i32>, %cond: memref<i32>) {
  checkpoint.region slot 1 label 7 yield_on 0 "flag" {
    "test.op"() : () -> ()
  }
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.serial {}
  }
  func.return
}
