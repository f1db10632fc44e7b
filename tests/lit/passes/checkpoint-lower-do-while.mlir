// RUN: qd-opt %s -p checkpoint-lower --split-input-file | FileCheck %s
// A do-while becomes an `scf.while` whose before-region runs the lowered body, resets
// resume_point, and continues iff `cond[] != 0 && yielded_at == -1` (docs/semantics.md rule 3).

// CHECK-LABEL: func.func @counter_loop
// CHECK-SAME:    (%[[N:.*]]: index, %[[COND:.*]]: memref<i32>, %[[STATE:.*]]: memref<2xi32>)
// The loop is entered like its last slot (see checkpoint-lower-do-while-resume.mlir).
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      scf.while () : () -> () {
// CHECK:             scf.if %{{.*}} {
// CHECK-NEXT:          scf.parallel
// CHECK:             }{qd.guard_slot = 0 : i64}
// Per-iteration resume reset: resume_point = 0 after the body.
// CHECK-NEXT:        %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT:        %[[I0:.*]] = arith.constant 0 : index
// CHECK-NEXT:        memref.store %[[ZERO]], %[[STATE]][%[[I0]]] : memref<2xi32>
// The condition reads cond[] and yielded_at after the body: a yield exits the loop.
// CHECK-NEXT:        %[[C:.*]] = memref.load %[[COND]][] : memref<i32>
// CHECK-NEXT:        %[[Z:.*]] = arith.constant 0 : i32
// CHECK-NEXT:        %[[AGAIN:.*]] = arith.cmpi ne, %[[C]], %[[Z]] : i32
// CHECK-NEXT:        %[[I1:.*]] = arith.constant 1 : index
// CHECK-NEXT:        %[[YA:.*]] = memref.load %[[STATE]][%[[I1]]] : memref<2xi32>
// CHECK-NEXT:        %[[NONE:.*]] = arith.constant -1 : i32
// CHECK-NEXT:        %[[NOT_YIELDED:.*]] = arith.cmpi eq, %[[YA]], %[[NONE]] : i32
// CHECK-NEXT:        %[[GO_ON:.*]] = arith.andi %[[AGAIN]], %[[NOT_YIELDED]] : i1
// CHECK-NEXT:        scf.condition(%[[GO_ON]])
// CHECK-NEXT:      } do {
// CHECK-NEXT:        scf.yield
// CHECK-NEXT:      }
// CHECK-NEXT:    }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:    func.return
// CHECK-NOT:     checkpoint.
func.func @counter_loop(%n: index, %cond: memref<i32>) {
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

// -----

// A yielding checkpoint in a loop: its flag check writes yielded_at, and the loop condition
// that follows tests it, so the loop ends at the yield whatever cond[] says.
// CHECK-LABEL: func.func @yield_exits_the_loop
// CHECK-SAME:    %[[STATE:[^:]*]]: memref<2xi32>)
// CHECK:         scf.while () : () -> () {
// CHECK:           }{qd.guard_slot = 0 : i64}
// CHECK:           scf.if %{{.*}} {
// CHECK:             memref.store %{{.*}}, %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:           }{qd.guard_slot = 1 : i64}
// CHECK:           memref.store %{{.*}}, %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK:           %[[YA:.*]] = memref.load %[[STATE]][%{{.*}}] : memref<2xi32>
// CHECK-NEXT:      %[[NONE:.*]] = arith.constant -1 : i32
// CHECK-NEXT:      %[[NOT_YIELDED:.*]] = arith.cmpi eq, %[[YA]], %[[NONE]] : i32
// CHECK-NEXT:      %[[GO_ON:.*]] = arith.andi %{{.*}}, %[[NOT_YIELDED]] : i1
// CHECK-NEXT:      scf.condition(%[[GO_ON]])
// CHECK:         }{qd.guard_slot = 1 : i64}
func.func @yield_exits_the_loop(%n: index, %cond: memref<i32>, %flag: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.region slot 0 {
      scf.parallel (%i) = (%c0) to (%n) step (%c1) {
        scf.reduce
      }
    }
    checkpoint.region slot 1 label 5 yield_on 2 "flag" {
      scf.parallel (%i) = (%c0) to (%n) step (%c1) {
        scf.reduce
      }
    }
  }
  func.return
}

// -----

// Serial statements in a loop body run on every iteration, under their own guard.
// CHECK-LABEL: func.func @serial_in_the_loop
// CHECK:         scf.while () : () -> () {
// CHECK:           scf.if %{{.*}} {
// CHECK-NEXT:        "test.op"() {every_iteration}
// CHECK-NEXT:      }{qd.guard_serial}
// CHECK:           scf.condition
func.func @serial_in_the_loop(%cond: memref<i32>) {
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.serial {
      "test.op"() {every_iteration} : () -> ()
    }
    checkpoint.region slot 0 {}
  }
  func.return
}
