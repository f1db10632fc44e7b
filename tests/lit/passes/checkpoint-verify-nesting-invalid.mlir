// RUN: qd-opt %s -p checkpoint-verify --split-input-file --verify-diagnostics
// Checkpoints do not nest, at any depth (docs/semantics.md).

func.func @region_in_region() {
  checkpoint.region label 1 {
    // expected-error@+1 {{checkpoint-verify: checkpoint.region cannot be nested inside another checkpoint.region}}
    checkpoint.region label 2 {}
  }
  func.return
}

// -----

func.func @region_deep_in_a_region_task(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region label 1 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      // expected-error@+1 {{cannot be nested inside another checkpoint.region}}
      checkpoint.region {}
      scf.reduce
    }
  }
  func.return
}

// -----

func.func @do_while_in_region(%cond: memref<i32>) {
  checkpoint.region label 1 {
    // expected-error@+1 {{checkpoint.do_while must be at the kernel top level or directly in a checkpoint.do_while body, not in checkpoint.region}}
    checkpoint.do_while %cond : memref<i32> {}
  }
  func.return
}
