// RUN: qd-opt %s -p checkpoint-verify --split-input-file --verify-diagnostics
// The top level holds tasks, checkpoint ops and pure glue; a region body holds tasks and glue.
// Anything else is named, with the fix: wrap it in checkpoint.serial. A function is checked
// when it is a kernel: marked `qd.kernel`, or holding checkpoint ops or top-level tasks.

func.func @store_at_top_level(%out: memref<i32>) attributes {qd.kernel} {
  %zero = arith.constant 0 : i32
  // expected-error@+1 {{checkpoint-verify: memref.store is not allowed at the kernel top level or directly in a checkpoint.do_while body or a checkpoint.parallel section, which holds tasks (scf.parallel), checkpoint ops and pure glue ops: wrap it in checkpoint.serial}}
  memref.store %zero, %out[] : memref<i32>
  func.return
}

// -----

func.func @if_at_top_level(%c: i1) attributes {qd.kernel} {
  // expected-error@+1 {{scf.if is not allowed at the kernel top level or directly in a checkpoint.do_while body}}
  scf.if %c {
    "test.op"() : () -> ()
  }
  func.return
}

// -----

func.func @store_in_a_do_while(%cond: memref<i32>) {
  %zero = arith.constant 0 : i32
  checkpoint.do_while %cond : memref<i32> {
    // expected-error@+1 {{memref.store is not allowed at the kernel top level or directly in a checkpoint.do_while body}}
    memref.store %zero, %cond[] : memref<i32>
  }
  func.return
}

// -----

func.func @store_in_a_region(%out: memref<i32>) {
  %zero = arith.constant 0 : i32
  checkpoint.region label 1 {
    // expected-error@+1 {{memref.store is not allowed in a checkpoint.region body, which holds tasks (scf.parallel, checkpoint.serial) and pure glue ops: wrap it in checkpoint.serial}}
    memref.store %zero, %out[] : memref<i32>
  }
  func.return
}

// -----

func.func @sequential_loop_in_a_region(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region label 1 {
    // expected-error@+1 {{scf.for is not allowed in a checkpoint.region body}}
    scf.for %i = %c0 to %n step %c1 {
      "test.op"(%i) : (index) -> ()
    }
  }
  func.return
}

// -----

func.func @unknown_op_at_top_level() attributes {qd.kernel} {
  // expected-error@+1 {{test.op is not allowed at the kernel top level}}
  "test.op"() : () -> ()
  func.return
}

// -----

func.func @task_result_used(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0 : index
  checkpoint.region label 1 {
    // expected-error@+1 {{the results of a task (scf.parallel) cannot be used after it (a resume may skip it): store them to a memref inside the task}}
    %last = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%zero) -> index {
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

// A function that is no kernel (no qd.kernel, no checkpoint op, no task) is not checked.
func.func @helper(%out: memref<i32>) {
  %zero = arith.constant 0 : i32
  memref.store %zero, %out[] : memref<i32>
  func.return
}
