// RUN: qd-opt %s -p checkpoint-verify --split-input-file --verify-diagnostics
// Where a fork may sit and what its sections may hold, reported at the offending op. (A
// do-while, a nested fork or a label inside a section is the op's own verifier's business:
// tests/lit/dialects/checkpoint/parallel-invalid.mlir.)

func.func @fork_in_a_task(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    // expected-error@+1 {{checkpoint-verify: checkpoint.parallel must be at the kernel top level or directly in a checkpoint.do_while body, not in scf.parallel}}
    checkpoint.parallel section {}
    scf.reduce
  }
  func.return
}

// -----

func.func @fork_in_an_explicit_checkpoint() {
  checkpoint.region label 1 {
    // expected-error@+1 {{checkpoint.parallel must be at the kernel top level or directly in a checkpoint.do_while body, not in checkpoint.region}}
    checkpoint.parallel section {}
  }
  func.return
}

// -----

func.func @a_store_in_a_section(%x: memref<f32>) {
  %v = arith.constant 1.0 : f32
  checkpoint.parallel section {
    // expected-error@+1 {{memref.store is not allowed at the kernel top level or directly in a checkpoint.do_while body or a checkpoint.parallel section, which holds tasks (scf.parallel), checkpoint ops and pure glue ops: wrap it in checkpoint.serial}}
    memref.store %v, %x[] : memref<f32>
  }
  func.return
}

// -----

func.func @unnumbered_task_in_a_section(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.reduce
    }
  }
  checkpoint.parallel section {
    // expected-error@+1 {{scf.parallel at the kernel top level is not in a numbered checkpoint.region while the other checkpoints are: run checkpoint-number}}
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.reduce
    }
  }
  func.return
}

// -----

func.func @slots_out_of_order_across_sections() {
  checkpoint.parallel section {
    // expected-error@+1 {{checkpoint.region has slot 1 but is checkpoint #0 in source order of @slots_out_of_order_across_sections}}
    checkpoint.region slot 1 {}
  } section {
    // expected-error@+1 {{checkpoint.region has slot 0 but is checkpoint #1 in source order}}
    checkpoint.region slot 0 {}
  }
  func.return
}
