// RUN: qd-opt %s --split-input-file --verify-diagnostics
// `yield_on K "name"` names the kernel argument at position K; the op's verifier checks it
// against the enclosing function's signature: it must exist and be a 0-d i32 memref. The name
// is for the reader only (printing may rename SSA values; the position is what counts).

func.func @position_past_the_arguments(%a: memref<?xf32>, %flag: memref<i32>) {
  // expected-error@+1 {{checkpoint.region yield_on 2 "flag" does not resolve to an ndarray kernel parameter: @position_past_the_arguments has 2 argument(s)}}
  checkpoint.region label 1 yield_on 2 "flag" {}
  func.return
}

// -----

func.func @no_arguments_at_all() {
  // expected-error@+1 {{yield_on 0 does not resolve to an ndarray kernel parameter: @no_arguments_at_all has 0 argument(s)}}
  checkpoint.region label 1 yield_on 0 {}
  func.return
}

// -----

func.func @wrong_element_type(%flag: memref<f32>) {
  // expected-error@+1 {{yield_on 0 "flag" names an argument of type memref<f32>: it must be a 0-d i32 memref (memref<i32>)}}
  checkpoint.region label 1 yield_on 0 "flag" {}
  func.return
}

// -----

func.func @not_zero_dimensional(%flag: memref<1xi32>) {
  // expected-error@+1 {{names an argument of type memref<1xi32>: it must be a 0-d i32 memref}}
  checkpoint.region label 1 yield_on 0 "flag" {}
  func.return
}

// -----

func.func @a_scalar(%flag: i32) {
  // expected-error@+1 {{names an argument of type i32: it must be a 0-d i32 memref}}
  checkpoint.region label 1 yield_on 0 "flag" {}
  func.return
}

// -----

// The position is checked, not the name: this names %a's position with %flag's name.
func.func @name_of_another_argument(%a: memref<?xf32>, %flag: memref<i32>) {
  // expected-error@+1 {{yield_on 0 "flag" names an argument of type memref<?xf32>}}
  checkpoint.region label 1 yield_on 0 "flag" {}
  func.return
}
