// RUN: qd-opt %s -p checkpoint-lower --split-input-file | FileCheck %s
// RUN: qd-opt %s -p checkpoint-lower,checkpoint-lower --split-input-file | FileCheck %s
// The launch state becomes the last argument `%qd_state: memref<2xi32>` of every kernel
// (a function marked `qd.kernel` or holding checkpoint ops), and the kernel is marked
// `qd.lowered`; lowering again changes nothing (docs/architecture.md §3).

// A kernel without checkpoint ops still gets the state: the runtime always passes it.
// CHECK-LABEL: func.func @kernel_without_checkpoints
// CHECK-SAME:    (%{{.*}}: memref<?xf32>, %qd_state: memref<2xi32>)
// CHECK-SAME:    attributes {qd.kernel, qd.lowered}
// CHECK-NOT:     scf.if
// CHECK:         func.return
func.func @kernel_without_checkpoints(%a: memref<?xf32>) attributes {qd.kernel} {
  func.return
}

// -----

// A function that is neither is left alone, and so is a declaration.
// CHECK-LABEL: func.func @helper(%{{.*}}: i32) -> i32 {
// CHECK-NEXT:    func.return
// CHECK:         func.func private @external(i32) -> i32
// CHECK-NOT:     qd.lowered
func.func @helper(%x: i32) -> i32 {
  func.return %x : i32
}
func.func private @external(i32) -> i32

// -----

// The function type follows the new argument, results included, and per-argument
// attributes get an empty entry for the state.
// CHECK-LABEL: func.func @typed(%{{.*}}: i32 {qd.name = "x"}, %qd_state: memref<2xi32>) -> i32
// CHECK-SAME:    attributes {qd.lowered}
func.func @typed(%x: i32 {qd.name = "x"}) -> i32 {
  checkpoint.region slot 0 {}
  func.return %x : i32
}

// -----

// The state is found by position, so a user argument of the same name does no harm.
// CHECK-LABEL: func.func @name_clash
// CHECK-SAME:    (%[[USER:.*]]: memref<2xi32>, %[[STATE:.*]]: memref<2xi32>)
// CHECK:         memref.load %[[STATE]]
// CHECK-NOT:     memref.load %[[USER]]
func.func @name_clash(%qd_state: memref<2xi32>) {
  checkpoint.serial {}
  func.return
}
