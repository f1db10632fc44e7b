// RUN: qd-opt %s | FileCheck %s
// RUN: qd-opt %s | qd-opt | FileCheck %s
// `checkpoint.region` prints slot, label and yield_on as keywords, in that order, each only
// when present; printing and parsing again gives the same IR.

// CHECK-LABEL: func.func @explicit_checkpoint
// CHECK:         checkpoint.region slot 1 label 7 yield_on 0 "flag" {
// CHECK-NEXT:      "test.op"() : () -> ()
// CHECK-NEXT:    }
func.func @explicit_checkpoint(%flag: memref<i32>) {
  checkpoint.region slot 1 label 7 yield_on 0 "flag" {
    "test.op"() : () -> ()
  }
  func.return
}

// Before numbering a region has no slot; a label may be negative.
// CHECK-LABEL: func.func @unnumbered_negative_label
// CHECK:         checkpoint.region label -3 {
func.func @unnumbered_negative_label() {
  checkpoint.region label -3 {
    "test.op"() : () -> ()
  }
  func.return
}

// An implicit checkpoint has a slot and nothing else.
// CHECK-LABEL: func.func @implicit_checkpoint
// CHECK:         checkpoint.region slot 0 {
func.func @implicit_checkpoint() {
  checkpoint.region slot 0 {
    "test.op"() : () -> ()
  }
  func.return
}

// An empty body is one empty block, and prints as `{}` again.
// CHECK-LABEL: func.func @empty_body
// CHECK:         checkpoint.region label 1 {
// CHECK-NEXT:    }
func.func @empty_body() {
  checkpoint.region label 1 {}
  func.return
}

// Labels span the full i64 range.
// CHECK-LABEL: func.func @extreme_labels
// CHECK:         checkpoint.region label 9223372036854775807 {
// CHECK:         checkpoint.region label -9223372036854775808 {
func.func @extreme_labels() {
  checkpoint.region label 9223372036854775807 {}
  checkpoint.region label -9223372036854775808 {}
  func.return
}
