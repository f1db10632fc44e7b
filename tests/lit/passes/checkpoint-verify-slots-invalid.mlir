// RUN: qd-opt %s -p checkpoint-verify --split-input-file --verify-diagnostics
// Once a kernel has slots they are 0, 1, 2, ... in source order; the fix is checkpoint-number.

func.func @gap_in_slots() {
  checkpoint.region slot 0 {}
  // expected-error@+1 {{checkpoint-verify: checkpoint.region has slot 2 but is checkpoint #1 in source order of @gap_in_slots: slots must be dense and in source order; run checkpoint-number}}
  checkpoint.region slot 2 {}
  func.return
}

// -----

func.func @swapped_slots() {
  // expected-error@+1 {{has slot 1 but is checkpoint #0 in source order}}
  checkpoint.region slot 1 label 1 {}
  // expected-error@+1 {{has slot 0 but is checkpoint #1 in source order}}
  checkpoint.region slot 0 label 2 {}
  func.return
}

// -----

func.func @missing_slot() {
  checkpoint.region slot 0 {}
  // expected-error@+1 {{checkpoint.region has no slot but is checkpoint #1 in source order of @missing_slot: slots must be dense and in source order; run checkpoint-number}}
  checkpoint.region label 3 {}
  func.return
}

// -----

func.func @unwrapped_task_in_numbered_kernel(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {}
  // expected-error@+1 {{scf.parallel at the kernel top level is not in a numbered checkpoint.region while the other checkpoints are: run checkpoint-number}}
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.reduce
  }
  func.return
}
