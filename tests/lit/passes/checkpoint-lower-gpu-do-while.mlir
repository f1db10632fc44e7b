// RUN: qd-opt %s -p 'checkpoint-lower{target=gpu}' | FileCheck %s
// On a gpu target a do-while is the same host scf.while as on cpu (a host loop reading the
// flag, docs/targets.md); its tasks carry their guards inside, as everywhere on a gpu.

// CHECK-LABEL: func.func @device_tasks_in_a_host_loop
// CHECK-SAME:    %[[STATE:[^:]*]]: memref<2xi32>)
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      scf.while () : () -> () {
// CHECK-NEXT:        scf.parallel
// CHECK:               scf.if %{{.*}} {
// CHECK-NEXT:            "test.op"
// CHECK-NEXT:          }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:          scf.reduce
// CHECK:             memref.store %{{.*}}, %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:             scf.condition
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK-NOT:     checkpoint.
func.func @device_tasks_in_a_host_loop(%n: index, %cond: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.region slot 0 {
      scf.parallel (%i) = (%c0) to (%n) step (%c1) {
        "test.op"(%i) : (index) -> ()
        scf.reduce
      }
    }
  }
  func.return
}
