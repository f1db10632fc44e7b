// RUN: qd-opt %s -p checkpoint-verify --split-input-file --verify-diagnostics
// Regions and do-whiles sit only at the kernel top level or directly in a do-while body.

func.func @region_in_a_task(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    // expected-error@+1 {{checkpoint-verify: checkpoint.region must be at the kernel top level or directly in a checkpoint.do_while body or a checkpoint.parallel section, not in scf.parallel}}
    checkpoint.region label 1 {}
    scf.reduce
  }
  func.return
}

// -----

func.func @do_while_in_a_task(%n: index, %cond: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    // expected-error@+1 {{checkpoint.do_while must be at the kernel top level or directly in a checkpoint.do_while body, not in scf.parallel}}
    checkpoint.do_while %cond : memref<i32> {}
    scf.reduce
  }
  func.return
}

// -----

func.func @serial_in_a_task(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    // expected-error@+1 {{checkpoint.serial must be at the kernel top level or directly in a checkpoint.do_while body or a checkpoint.parallel section or in a checkpoint.region, not in scf.parallel}}
    checkpoint.serial {}
    scf.reduce
  }
  func.return
}
