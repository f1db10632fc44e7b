// RUN: qd-opt %s --split-input-file --verify-diagnostics
// What a section may not hold, at any depth, checked by `checkpoint.parallel`'s own verifier:
// a do-while, another fork, an explicit (labelled) checkpoint. One failure per chunk.

func.func @do_while_in_a_section(%cond: memref<i32>) {
  // expected-error@+1 {{checkpoint.parallel section 0: a do-while cannot run inside a section (put the checkpoint.parallel in the loop's body instead)}}
  checkpoint.parallel section {
    checkpoint.do_while %cond : memref<i32> {}
  }
  func.return
}

// -----

func.func @nested_fork_in_the_second_section() {
  // expected-error@+1 {{checkpoint.parallel section 1: sections cannot be nested}}
  checkpoint.parallel section {
  } section {
    checkpoint.parallel section {}
  }
  func.return
}

// -----

func.func @labelled_checkpoint_in_a_section(%flag: memref<i32>) {
  // expected-error@+1 {{checkpoint.parallel section 0: an explicit checkpoint (label 7) cannot sit inside a section: sections run in no set order, so none of them may yield}}
  checkpoint.parallel section {
    checkpoint.region label 7 yield_on 0 "flag" {}
  }
  func.return
}

// -----

func.func @deep_inside_other_ops(%cond: memref<i32>) {
  // expected-error@+1 {{checkpoint.parallel section 0: a do-while cannot run inside a section}}
  checkpoint.parallel section {
    scf.execute_region {
      checkpoint.do_while %cond : memref<i32> {}
      scf.yield
    }
  }
  func.return
}

// -----

func.func @section_with_two_blocks() {
  // expected-error@+1 {{expected a single block, but got 2 blocks}}
  "checkpoint.parallel"() ({
    "test.termop"() [^bb1] : () -> ()
  ^bb1:
    "test.termop"() : () -> ()
  }) : () -> ()
  func.return
}
