// RUN: qd-opt %s --split-input-file --verify-diagnostics
// Every error of the checkpoint ops' own verifiers, one per chunk.

func.func @yield_on_without_label(%flag: memref<i32>) {
  // expected-error@+1 {{checkpoint.region with yield_on 0 "flag" needs a label}}
  checkpoint.region slot 0 yield_on 0 "flag" {}
  func.return
}

// -----

func.func @negative_slot() {
  // expected-error@+1 {{checkpoint.region slot must be >= 0, got -1}}
  checkpoint.region slot -1 {}
  func.return
}

// -----

func.func @yield_on_a_name_only(%flag: memref<i32>) {
  // expected-error@+1 {{Expected integer literal}}
  checkpoint.region label 1 yield_on "flag" {}
  func.return
}

// -----

func.func @yield_on_name_without_position(%flag: memref<i32>) {
  // expected-error@+1 {{checkpoint.region has a yield_on_name but no yield_on}}
  "checkpoint.region"() <{label = 1 : i64, yield_on_name = "flag"}> ({
  ^bb0:
  }) : () -> ()
  func.return
}

// -----

func.func @do_while_on_a_vector(%cond: memref<4xi32>) {
  // expected-error@+1 {{checkpoint.do_while condition must be a 0-d i32 memref (memref<i32>), got memref<4xi32>}}
  checkpoint.do_while %cond : memref<4xi32> {}
  func.return
}

// -----

func.func @do_while_on_f32(%cond: memref<f32>) {
  // expected-error@+1 {{got memref<f32>}}
  checkpoint.do_while %cond : memref<f32> {}
  func.return
}

// -----

func.func @region_in_serial() {
  // expected-error@+1 {{checkpoint.serial cannot contain checkpoint.region: serial code has no checkpoints}}
  checkpoint.serial {
    checkpoint.region label 1 {}
  }
  func.return
}

// -----

func.func @do_while_in_serial(%cond: memref<i32>) {
  // expected-error@+1 {{checkpoint.serial cannot contain checkpoint.do_while}}
  checkpoint.serial {
    checkpoint.do_while %cond : memref<i32> {}
  }
  func.return
}

// -----

func.func @region_with_two_blocks() {
  // expected-error@+1 {{expected a single block, but got 2 blocks}}
  "checkpoint.region"() ({
    "test.termop"() [^bb1] : () -> ()
  ^bb1:
    "test.termop"() : () -> ()
  }) : () -> ()
  func.return
}

// -----

func.func @label_is_not_an_integer() {
  // expected-error@+1 {{"seven" should be of base attribute integer}}
  "checkpoint.region"() <{label = "seven"}> ({
  ^bb0:
  }) : () -> ()
  func.return
}
