// RUN: qd-opt %s -p checkpoint-number --split-input-file --verify-diagnostics
// A task whose results are used after it cannot become a checkpoint: a resume may skip it.

func.func @task_result_used_later(%n: index, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  // expected-error@+1 {{checkpoint-number: the results of a task (scf.parallel) are used after it}}
  %sum = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%zero) -> f32 {
    %one = arith.constant 1.0 : f32
    scf.reduce(%one : f32) {
    ^bb1(%l: f32, %r: f32):
      %s = arith.addf %l, %r : f32
      scf.reduce.return %s : f32
    }
  }
  %twice = arith.addf %sum, %sum : f32
  func.return
}
