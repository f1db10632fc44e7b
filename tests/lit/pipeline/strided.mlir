// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=cpu},cpu-interrupt-checks,checkpoint-merge-guards,checkpoint-reuse-state-loads,cpu-parallel-sections,cpu-parallel-threshold,canonicalize,cse' | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=cpu},cpu-interrupt-checks,checkpoint-merge-guards,checkpoint-reuse-state-loads,cpu-parallel-sections,cpu-parallel-threshold,canonicalize,cse' --print-op-generic | mlir-opt --pass-pipeline='builtin.module(convert-scf-to-openmp,func.func(lower-affine),expand-strided-metadata,finalize-memref-to-llvm,convert-scf-to-cf,convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,convert-openmp-to-llvm,reconcile-unrealized-casts)' | FileCheck %s --check-prefix=LLVM
// A strided argument (a numpy view: `y[i] = x[i] * 2` with x = a[::2]; docs/architecture.md §5)
// keeps its strided memref type through the CPU pipeline, into the outlined task function too,
// and upstream lowers its accesses with the stride from the descriptor.

// CHECK-LABEL: func.func @scale_view
// CHECK-SAME:    (%[[X:.*]]: memref<?xf32, strided<[?]>>, %[[Y:.*]]: memref<?xf32>, %{{.*}}: memref<2xi32>)
// CHECK:         func.call @scale_view.task0(%[[X]], %[[Y]], %{{.*}}, %{{.*}})
// CHECK-LABEL: func.func private @scale_view.task0
// CHECK-SAME:    memref<?xf32, strided<[?]>>
// CHECK:         memref.load %{{.*}}[%{{.*}}] : memref<?xf32, strided<[?]>>
// LLVM-LABEL: llvm.func @scale_view.task0
// LLVM:         %[[STRIDE:.*]] = llvm.extractvalue %{{.*}}[4, 0]
// LLVM:         llvm.mul %{{.*}}, %[[STRIDE]]
// LLVM-NOT:     memref.
func.func @scale_view(%x: memref<?xf32, strided<[?]>>, %y: memref<?xf32>) attributes {qd.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %two = arith.constant 2.0 : f32
  %n = memref.dim %x, %c0 : memref<?xf32, strided<[?]>>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %x[%i] : memref<?xf32, strided<[?]>>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %y[%i] : memref<?xf32>
    scf.reduce
  }
  func.return
}
