// RUN: qd-opt %s -p checkpoint-lower,checkpoint-merge-guards --split-input-file | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-lower{target=gpu}',checkpoint-merge-guards --split-input-file | FileCheck %s --check-prefix=GPU
// Where merging would change what runs, guards stay apart.

// A yielding checkpoint: the first task's flag check writes yielded_at, so the second task
// must test it again (first wins).
// CHECK-LABEL: func.func @flag_check_between
// CHECK:         scf.if
// CHECK:           "test.op"() {first}
// CHECK:           memref.store
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK:         scf.if
// CHECK:           "test.op"() {second}
// CHECK:         }{qd.guard_slot = 0 : i64}
func.func @flag_check_between(%flag: memref<i32>) {
  checkpoint.region slot 0 label 1 yield_on 0 "flag" {
    checkpoint.serial {
      "test.op"() {first} : () -> ()
    }
    checkpoint.serial {
      "test.op"() {second} : () -> ()
    }
  }
  func.return
}

// -----

// Different slots test different things.
// CHECK-LABEL: func.func @different_slots
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK:         }{qd.guard_slot = 1 : i64}
func.func @different_slots() {
  checkpoint.region slot 0 {
    checkpoint.serial {}
  }
  checkpoint.region slot 1 {
    checkpoint.serial {}
  }
  func.return
}

// -----

// A slot guard and a serial guard test different things too.
// CHECK-LABEL: func.func @slot_then_serial
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK:         }{qd.guard_serial}
func.func @slot_then_serial() {
  checkpoint.region slot 0 {
    checkpoint.serial {}
  }
  checkpoint.serial {}
  func.return
}

// -----

// A load of user memory between two guards may read what the first guard's task wrote, so
// it cannot move above it, and the guards stay apart.
// CHECK-LABEL: func.func @user_load_between
// CHECK:         scf.if
// CHECK:           memref.store
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK:         %[[V:.*]] = memref.load %{{.*}}[] : memref<i32>
// CHECK:         scf.if
// CHECK:           "test.op"(%[[V]])
// CHECK:         }{qd.guard_slot = 0 : i64}
func.func @user_load_between(%cell: memref<i32>) {
  %seven = arith.constant 7 : i32
  checkpoint.region slot 0 label 2 {
    checkpoint.serial {
      memref.store %seven, %cell[] : memref<i32>
    }
    %v = memref.load %cell[] : memref<i32>
    checkpoint.serial {
      "test.op"(%v) : (i32) -> ()
    }
  }
  func.return
}

// -----

// On a gpu target each guard sits in its own kernel: nothing is adjacent, nothing merges.
// GPU-LABEL: func.func @gpu_kernels_stay_apart
// GPU:         scf.parallel
// GPU:           }{qd.guard_serial}
// GPU:         scf.parallel
// GPU:           }{qd.guard_serial}
func.func @gpu_kernels_stay_apart() {
  checkpoint.serial {
    "test.op"() {a} : () -> ()
  }
  checkpoint.serial {
    "test.op"() {b} : () -> ()
  }
  func.return
}
