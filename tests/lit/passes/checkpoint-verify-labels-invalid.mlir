// RUN: qd-opt %s -p checkpoint-verify --split-input-file --verify-diagnostics
// Labels are unique by value within a kernel; the error names the label and both checkpoints.

func.func @duplicate_label_numbered() {
  checkpoint.region slot 0 {}
  checkpoint.region slot 1 label 7 {}
  // expected-error@+1 {{checkpoint-verify: label 7 is already used by another checkpoint (slot 1); this one is slot 2}}
  checkpoint.region slot 2 label 7 {}
  func.return
}

// -----

func.func @duplicate_label_unnumbered() {
  checkpoint.region label -3 {}
  // expected-error@+1 {{label -3 is already used by another checkpoint (checkpoint #0 in source order); this one is checkpoint #1 in source order}}
  checkpoint.region label -3 {}
  func.return
}

// -----

func.func @duplicate_label_inside_a_loop(%cond: memref<i32>) {
  checkpoint.region label 5 {}
  checkpoint.do_while %cond : memref<i32> {
    // expected-error@+1 {{label 5 is already used by another checkpoint}}
    checkpoint.region label 5 {}
  }
  func.return
}

// -----

// Every repeat is reported, each against the first use.
func.func @label_used_three_times() {
  checkpoint.region label 1 {}
  // expected-error@+1 {{label 1 is already used by another checkpoint (checkpoint #0 in source order); this one is checkpoint #1}}
  checkpoint.region label 1 {}
  // expected-error@+1 {{label 1 is already used by another checkpoint (checkpoint #0 in source order); this one is checkpoint #2}}
  checkpoint.region label 1 {}
  func.return
}
