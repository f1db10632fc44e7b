// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=cpu},cpu-interrupt-checks,checkpoint-merge-guards,checkpoint-reuse-state-loads,cpu-parallel-sections,cpu-parallel-threshold,canonicalize,cse' | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=cpu},cpu-interrupt-checks,checkpoint-merge-guards,checkpoint-reuse-state-loads,cpu-parallel-sections,cpu-parallel-threshold,canonicalize,cse' --print-op-generic | mlir-opt | FileCheck %s --check-prefix=UPSTREAM
// RUN: qd-opt %s -p 'checkpoint-number,checkpoint-verify,checkpoint-lower{target=gpu},checkpoint-merge-guards,checkpoint-reuse-state-loads,gpu-coarsen-tasks{factor=4},gpu-device-loops,canonicalize,cse' --print-op-generic | mlir-opt | FileCheck %s --check-prefix=UPSTREAM
// A counter loop: `while qd.graph_do_while(counter): for: ...; for: counter -= 1` with a
// yielding checkpoint in the body, through the default pipeline and upstream mlir-opt.

// On the CPU the loop also ends at Ctrl-C: its condition reads the interrupt word (an argument
// before the state), and after the loop a set word makes yielded_at -2 (cpu-interrupt-checks).
// CHECK-LABEL: func.func @count_down
// CHECK-SAME:    %[[COUNTER:[^:]*]]: memref<i32>, %[[FLAG:[^:]*]]: memref<i32>, %[[WORD:[^:]*]]: memref<i32>, %[[STATE:[^:]*]]: memref<2xi32>)
// CHECK-SAME:    qd.interruptible
// CHECK:         scf.if
// CHECK-NEXT:      scf.while
// CHECK:             }{qd.guard_slot = 0 : i64}
// CHECK:             }{qd.guard_slot = 1 : i64}
// CHECK:             memref.store %{{.*}}, %[[STATE]]
// CHECK:             memref.load %[[COUNTER]][] : memref<i32>
// CHECK:             memref.load %[[STATE]]
// CHECK:             func.call @qd_interrupt_pending(%[[WORD]])
// CHECK:             scf.condition
// CHECK:           func.call @qd_interrupt_pending(%[[WORD]])
// CHECK:           memref.store %{{.*}}, %[[STATE]]
// CHECK:         }{qd.guard_slot = 1 : i64}
// CHECK-NOT:     checkpoint.
// UPSTREAM-LABEL: func.func @count_down
// UPSTREAM:         scf.while : () -> () {
// UPSTREAM:           scf.condition
func.func @count_down(%a: memref<?xf32>, %counter: memref<i32>, %flag: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  checkpoint.do_while %counter : memref<i32> {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      %x = memref.load %a[%i] : memref<?xf32>
      %y = arith.addf %x, %x : f32
      memref.store %y, %a[%i] : memref<?xf32>
      scf.reduce
    }
    checkpoint.region label 1 yield_on 2 "flag" {
      checkpoint.serial {
        %v = memref.load %counter[] : memref<i32>
        %one = arith.constant 1 : i32
        %w = arith.subi %v, %one : i32
        memref.store %w, %counter[] : memref<i32>
      }
    }
  }
  func.return
}
