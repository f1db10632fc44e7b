// RUN: qd-opt %s -p 'checkpoint-lower{target=gpu}' --split-input-file --verify-diagnostics
// RUN: not qd-opt %s -p 'checkpoint-lower{target=metal}' 2>&1 | FileCheck %s --check-prefix=TARGET
// What only a gpu target rejects, and an unknown target.

// TARGET: error: checkpoint-lower: unknown target 'metal': use target=cpu or target=gpu (cuda, rocm and amdgpu mean gpu)

func.func @reduction_task(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region slot 0 {
    // expected-error@+1 {{checkpoint-lower: a task with reductions (scf.parallel with init values) cannot take its guard inside on target=gpu: reduce with memref.atomic_rmw instead}}
    %last = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%c0) -> index {
      scf.reduce(%i : index) {
      ^bb1(%l: index, %r: index):
        %m = arith.maxui %l, %r : index
        scf.reduce.return %m : index
      }
    }
  }
  func.return
}
