// RUN: qd-opt %s -p checkpoint-verify --split-input-file --verify-diagnostics
// yield_on names a kernel argument, by its SSA name, of type memref<i32> (docs/semantics.md).

func.func @unknown_name(%a: memref<?xf32>, %flag: memref<i32>) {
  // expected-error@+1 {{checkpoint-verify: yield_on "flg" does not resolve to an ndarray kernel parameter of @unknown_name (its arguments: a, flag)}}
  checkpoint.region label 1 yield_on "flg" {}
  func.return
}

// -----

func.func @no_arguments_at_all() {
  // expected-error@+1 {{yield_on "flag" does not resolve to an ndarray kernel parameter of @no_arguments_at_all (its arguments: (none))}}
  checkpoint.region label 1 yield_on "flag" {}
  func.return
}

// -----

func.func @wrong_element_type(%flag: memref<f32>) {
  // expected-error@+1 {{yield_on "flag" names an argument of type memref<f32>: it must be a 0-d i32 memref (memref<i32>)}}
  checkpoint.region label 1 yield_on "flag" {}
  func.return
}

// -----

func.func @not_zero_dimensional(%flag: memref<1xi32>) {
  // expected-error@+1 {{names an argument of type memref<1xi32>: it must be a 0-d i32 memref}}
  checkpoint.region label 1 yield_on "flag" {}
  func.return
}

// -----

func.func @a_scalar(%flag: i32) {
  // expected-error@+1 {{names an argument of type i32: it must be a 0-d i32 memref}}
  checkpoint.region label 1 yield_on "flag" {}
  func.return
}
