// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=cpu},cpu-interrupt-checks,checkpoint-merge-guards,checkpoint-reuse-state-loads,cpu-parallel-sections,cpu-parallel-threshold,canonicalize,cse' --print-op-generic | mlir-opt --canonicalize --convert-scf-to-openmp | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=gpu},checkpoint-merge-guards,checkpoint-reuse-state-loads,gpu-coarsen-tasks{factor=4},gpu-device-loops,canonicalize,cse' --print-op-generic | mlir-opt | FileCheck %s --check-prefix=GPU
// Two serial sections (one-iteration tasks looping %n times) through the default pipeline
// and upstream MLIR. On the CPU the sections become one OpenMP team, one section per thread
// (convert-scf-to-openmp, as the CPU target runs it), taken when both hold enough work. On a GPU the fork travels as nested
// `scf.execute_region no_inline` ops, for the launch plan to read.

// CHECK-LABEL: func.func @two_serial_sections
// CHECK:         scf.if %{{.*}} {
// CHECK:           omp.parallel {
// CHECK:             omp.wsloop {
// CHECK:               omp.loop_nest
// CHECK:                 scf.index_switch
// CHECK:                 case 0 {
// CHECK:                 case 1 {
// CHECK:         } else {
// CHECK:         } {qd.parallel_sections = 65536 : i64}
// GPU-LABEL: func.func @two_serial_sections
// GPU:         scf.execute_region no_inline {
// GPU-NEXT:      scf.execute_region no_inline {
// GPU:             scf.parallel
// GPU:           } {qd.section}
// GPU-NEXT:      scf.execute_region no_inline {
// GPU:             scf.parallel
// GPU:           } {qd.section}
// GPU-NEXT:      scf.yield
// GPU-NEXT:    } {qd.fork}
func.func @two_serial_sections(%a: memref<?xf32>, %b: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.parallel section {
    scf.parallel (%t) = (%c0) to (%c1) step (%c1) {
      scf.for %j = %c0 to %n step %c1 {
        %v = memref.load %a[%j] : memref<?xf32>
        %w = arith.mulf %v, %v : f32
        memref.store %w, %a[%j] : memref<?xf32>
      }
      scf.reduce
    }
  } section {
    scf.parallel (%t) = (%c0) to (%c1) step (%c1) {
      scf.for %j = %c0 to %n step %c1 {
        %v = memref.load %b[%j] : memref<?xf32>
        %w = arith.mulf %v, %v : f32
        memref.store %w, %b[%j] : memref<?xf32>
      }
      scf.reduce
    }
  }
  func.return
}
