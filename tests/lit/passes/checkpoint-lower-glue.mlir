// RUN: qd-opt %s -p checkpoint-lower --split-input-file | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-lower{target=gpu}' --split-input-file | FileCheck %s --check-prefix=GPU
// Pure glue ops inside a checkpoint keep their order between the tasks and stay unguarded
// (they write nothing, so running them on a skipped slot is harmless); tasks still see them.

// CHECK-LABEL: func.func @glue_between_tasks
// CHECK-SAME:    (%[[A:[^:]*]]: memref<?xf32>
// CHECK:         %[[N:.*]] = memref.dim %[[A]], %{{.*}} : memref<?xf32>
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[N]]) step (%{{.*}})
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:    %[[HALF:.*]] = arith.divui %[[N]], %{{.*}} : index
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[HALF]]) step (%{{.*}})
// CHECK:         }{qd.guard_slot = 0 : i64}
// GPU-LABEL: func.func @glue_between_tasks
// GPU:         %[[N:.*]] = memref.dim
// GPU-NEXT:    scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[N]]) step (%{{.*}})
// GPU:         %[[HALF:.*]] = arith.divui %[[N]], %{{.*}} : index
// GPU-NEXT:    scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[HALF]]) step (%{{.*}})
func.func @glue_between_tasks(%a: memref<?xf32>) {
  checkpoint.region slot 0 label 1 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %two = arith.constant 2 : index
    %n = memref.dim %a, %c0 : memref<?xf32>
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
    %half = arith.divui %n, %two : index
    scf.parallel (%i) = (%c0) to (%half) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  func.return
}

// -----

// Top-level glue and locals (memref.alloca) are not touched at all.
// CHECK-LABEL: func.func @top_level_glue
// CHECK-NEXT:    %[[LOCAL:.*]] = memref.alloca() : memref<i32>
// CHECK-NEXT:    %[[K:.*]] = arith.constant 3 : i32
// CHECK-NEXT:    %{{.*}} = arith.constant 1 : index
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      memref.store %[[K]], %[[LOCAL]][] : memref<i32>
// CHECK-NEXT:    }{qd.guard_serial}
func.func @top_level_glue() {
  %local = memref.alloca() : memref<i32>
  %k = arith.constant 3 : i32
  checkpoint.serial {
    memref.store %k, %local[] : memref<i32>
  }
  func.return
}
