// RUN: qd-opt %s -p checkpoint-verify --split-input-file --verify-diagnostics
// A do-while's condition is a kernel argument: the host must be able to set and read it.

func.func @condition_is_a_local() {
  %local = memref.alloca() : memref<i32>
  // expected-error@+1 {{checkpoint-verify: checkpoint.do_while condition does not resolve to an ndarray kernel parameter: it must be an argument of @condition_is_a_local, not a value computed in it}}
  checkpoint.do_while %local : memref<i32> {}
  func.return
}

// -----

func.func @condition_from_a_nested_block(%n: index, %cond: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %local = memref.alloca() : memref<i32>
    // expected-error@+2 {{checkpoint.do_while must be at the kernel top level}}
    // expected-error@+1 {{checkpoint.do_while condition does not resolve to an ndarray kernel parameter}}
    checkpoint.do_while %local : memref<i32> {}
    scf.reduce
  }
  func.return
}
