// RUN: qd-opt %s -p cpu-interrupt-checks --split-input-file | FileCheck %s
// RUN: qd-opt %s -p cpu-interrupt-checks,cpu-interrupt-checks --split-input-file | FileCheck %s
// Loops that can run long read the interrupt word the runtime's SIGINT handler sets
// (runtime/interrupts.py): every scf.while in its condition, once per iteration; a serial
// scf.for once per chunk of 1024 iterations, as a while {qd.strip_mined} around the same for
// (cost models count the whole range through it). After such a
// loop a set word makes yielded_at -2, so no later guard runs. The second RUN line shows the
// pass is idempotent: a qd.interruptible function is left alone.

// A do-while's loop: the word is an argument just before the state, which stays last.
// CHECK-LABEL: func.func @do_while
// CHECK-SAME:    (%[[COND:.*]]: memref<i32>, %[[FLAG:.*]]: memref<i32>, %[[STATE:.*]]: memref<2xi32>)
// CHECK-SAME:    attributes {qd.lowered, qd.interruptible}
// CHECK:         scf.while
// CHECK:           %[[AGAIN:.*]] = arith.cmpi ne
// CHECK-NEXT:      %[[WORD:.*]] = func.call @qd_interrupt_pending(%[[FLAG]]) : (memref<i32>) -> i32
// CHECK-NEXT:      %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT:      %[[CLEAR:.*]] = arith.cmpi eq, %[[WORD]], %[[ZERO]] : i32
// CHECK-NEXT:      %[[GO:.*]] = arith.andi %[[AGAIN]], %[[CLEAR]] : i1
// CHECK-NEXT:      scf.condition(%[[GO]])
// CHECK:         %[[AFTER:.*]] = func.call @qd_interrupt_pending(%[[FLAG]])
// CHECK:         %[[SET:.*]] = arith.cmpi ne, %[[AFTER]]
// CHECK-NEXT:    scf.if %[[SET]] {
// CHECK-NEXT:      %[[MINUS_TWO:.*]] = arith.constant -2 : i32
// CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT:      memref.store %[[MINUS_TWO]], %[[STATE]][%[[ONE]]] : memref<2xi32>
// CHECK:       func.func private @qd_interrupt_pending(memref<i32>) -> i32
func.func @do_while(%cond: memref<i32>, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  scf.while () : () -> () {
    %v = memref.load %cond[] : memref<i32>
    %zero = arith.constant 0 : i32
    %again = arith.cmpi ne, %v, %zero : i32
    scf.condition(%again)
  } do {
    scf.yield
  }
  func.return
}

// -----

// A serial loop with a run-time trip count is checked per chunk; its body (and its carried
// value) moves unchanged into the inner scf.for. A loop of 8 iterations is left alone.
// CHECK-LABEL: func.func @serial_for
// CHECK-SAME:    (%[[N:.*]]: index, %[[OUT:.*]]: memref<index>, %[[FLAG:.*]]: memref<i32>, %{{.*}}: memref<2xi32>)
// CHECK:         %[[CHUNK:.*]] = arith.muli %{{.*}}, %{{.*}} : index
// CHECK:         %{{.*}}, %[[SUM:.*]] = scf.while (%[[AT:.*]] = %{{.*}}, %[[ACC:.*]] = %{{.*}}) : (index, index) -> (index, index) {
// CHECK:           func.call @qd_interrupt_pending(%[[FLAG]])
// CHECK:           %[[MORE:.*]] = arith.cmpi slt, %[[AT]], %[[N]] : index
// CHECK-NEXT:      %[[GO:.*]] = arith.andi %[[MORE]], %{{.*}} : i1
// CHECK-NEXT:      scf.condition(%[[GO]]) %[[AT]], %[[ACC]] : index, index
// CHECK-NEXT:    } do {
// CHECK-NEXT:    ^{{.*}}(%[[START:.*]]: index, %[[CARRY:.*]]: index):
// CHECK-NEXT:      %[[UNCLAMPED:.*]] = arith.addi %[[START]], %[[CHUNK]] : index
// CHECK-NEXT:      %[[END:.*]] = arith.minsi %[[UNCLAMPED]], %[[N]] : index
// CHECK-NEXT:      %[[PART:.*]] = scf.for %[[I:.*]] = %[[START]] to %[[END]] step %{{.*}} iter_args(%[[T:.*]] = %[[CARRY]]) -> (index) {
// CHECK-NEXT:        %[[NEXT:.*]] = arith.addi %[[T]], %[[I]] : index
// CHECK-NEXT:        scf.yield %[[NEXT]] : index
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.yield %[[END]], %[[PART]] : index, index
// CHECK-NEXT:    } attributes {qd.strip_mined}
// CHECK:         memref.store %[[SUM]], %[[OUT]][] : memref<index>
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK-NEXT:      "test.op"
func.func @serial_for(%n: index, %out: memref<index>, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%t = %c0) -> (index) {
    %next = arith.addi %t, %i : index
    scf.yield %next : index
  }
  memref.store %sum, %out[] : memref<index>
  scf.for %j = %c0 to %c8 step %c1 {
    "test.op"() : () -> ()
  }
  func.return
}

// -----

// In a task of many iterations a `for` is bounded and stays as it is; a `while` is checked.
// CHECK-LABEL: func.func @in_a_task
// CHECK:         scf.parallel
// CHECK-NEXT:      scf.for
// CHECK-NOT:       scf.while
// CHECK:           scf.while
// CHECK:             func.call @qd_interrupt_pending
// CHECK:             scf.condition
func.func @in_a_task(%n: index, %x: memref<?xi32>, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.for %j = %c0 to %n step %c1 {
      "test.op"() : () -> ()
    }
    scf.while () : () -> () {
      %v = memref.load %x[%i] : memref<?xi32>
      %zero = arith.constant 0 : i32
      %positive = arith.cmpi sgt, %v, %zero : i32
      scf.condition(%positive)
    } do {
      scf.yield
    }
    scf.reduce
  }
  func.return
}

// -----

// Without such loops nothing changes: no argument, no attribute, no declaration.
// CHECK-LABEL: func.func @no_loops
// CHECK-SAME:    (%{{.*}}: memref<?xi32>, %{{.*}}: memref<2xi32>) attributes {qd.lowered} {
// CHECK-NOT:     qd_interrupt_pending
func.func @no_loops(%x: memref<?xi32>, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xi32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"() : () -> ()
    scf.reduce
  }
  func.return
}
