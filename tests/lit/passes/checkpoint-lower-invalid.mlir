// RUN: qd-opt %s -p checkpoint-lower --split-input-file --verify-diagnostics
// checkpoint-lower needs numbered IR: each error names the pass to run first.

func.func @region_without_slot() {
  // expected-error@+1 {{checkpoint-lower: checkpoint.region has no slot: run checkpoint-number first}}
  checkpoint.region label 1 {}
  func.return
}

// -----

func.func @unwrapped_task(%n: index) attributes {qd.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error@+1 {{scf.parallel at the kernel top level is not in a numbered checkpoint.region: run checkpoint-number first}}
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.reduce
  }
  func.return
}

// -----

func.func @unwrapped_task_in_a_loop(%n: index, %cond: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.do_while %cond : memref<i32> {
    // expected-error@+1 {{not in a numbered checkpoint.region: run checkpoint-number first}}
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.reduce
    }
  }
  func.return
}

// -----

func.func @task_result_used(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {
    // expected-error@+1 {{the results of a task (scf.parallel) cannot be used after it (a guard may skip it)}}
    %last = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%c0) -> index {
      scf.reduce(%i : index) {
      ^bb1(%l: index, %r: index):
        %m = arith.maxui %l, %r : index
        scf.reduce.return %m : index
      }
    }
    %twice = arith.addi %last, %last : index
  }
  func.return
}

// -----

// A checkpoint op where no rule allows it is left over, and reported.
func.func @region_inside_a_task(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      // expected-error@+1 {{checkpoint-lower: checkpoint.region is left after lowering: it is not where docs/architecture.md §1 allows it; run checkpoint-verify}}
      checkpoint.region slot 1 {}
      scf.reduce
    }
  }
  func.return
}

// -----

// A checkpoint op outside any function has no launch state to guard on: reported, not lowered.
%cond = "test.op"() : () -> memref<i32>
// expected-error@+1 {{checkpoint.do_while is not inside a func.func: checkpoint ops belong in a kernel function}}
checkpoint.do_while %cond : memref<i32> {
  checkpoint.serial {
    "test.op"() : () -> ()
  }
}
