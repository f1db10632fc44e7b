// RUN: qd-opt %s -p 'cpu-parallel-sections{min-trip=1000}' --split-input-file | FileCheck %s
// RUN: qd-opt %s -p 'cpu-parallel-sections{min-trip=1000},cpu-parallel-threshold{min-trip=1000}' --split-input-file | FileCheck %s --check-prefix=THEN
// A fork's sections run on threads of their own when at least two of them hold serial work
// (one-iteration tasks, serial code, tasks too small to go parallel) of at least min-trip x 4
// and no task is large enough to go parallel by itself (docs/targets.md, CPU, "Sections"). A
// "test.op" costs 1, so with min-trip=1000 the threshold is 4000.

// Two serial sections whose loops run %n times: the test is made before the fork (the loop
// bound computed inside the second section, a memref.dim, is cloned out). Inside the
// concurrent branch each section's task is a plain scf.for.
// CHECK-LABEL: func.func @two_serial_sections
// CHECK-SAME:    (%[[X:.*]]: memref<?xf32>, %[[N:.*]]: index)
// CHECK:         %[[ENOUGH0:.*]] = arith.cmpi sge, %[[N]], %{{.*}} : index
// CHECK:         %[[M:.*]] = memref.dim %[[X]]
// CHECK:         %[[ENOUGH1:.*]] = arith.cmpi sge, %[[M]], %{{.*}} : index
// CHECK:         %[[COUNT:.*]] = arith.addi
// CHECK:         %[[GO:.*]] = arith.cmpi sge, %[[COUNT]], %{{.*}} : index
// CHECK-NEXT:    scf.if %[[GO]] {
// CHECK:           scf.parallel (%[[S:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// CHECK-NEXT:        scf.index_switch %[[S]]
// CHECK-NEXT:        case 0 {
// CHECK-NEXT:          scf.for
// CHECK-NEXT:            scf.for %{{.*}} = %{{.*}} to %[[N]]
// CHECK:             case 1 {
// CHECK-NEXT:          memref.dim
// CHECK-NEXT:          scf.for
// CHECK:             default {
// CHECK:           } {qd.sections}
// CHECK-NEXT:    } else {
// CHECK-NEXT:      scf.parallel
// CHECK:           memref.dim
// CHECK-NEXT:      scf.parallel
// CHECK:         }{qd.parallel_sections = 1000 : i64}
// CHECK-NOT:     qd.fork
// cpu-parallel-threshold leaves the loop over the sections alone and guards the tasks of the
// in-order branch as usual.
// THEN-LABEL: func.func @two_serial_sections
// THEN:         scf.if
// THEN-NOT:       qd.parallel_threshold
// THEN:         } {qd.sections}
// THEN-NEXT:    } else {
// THEN:           func.call @two_serial_sections.task0
// THEN:           func.call @two_serial_sections.task1
// THEN:         }{qd.parallel_sections = 1000 : i64}
func.func @two_serial_sections(%x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.execute_region no_inline {
    scf.execute_region no_inline {
      scf.parallel (%t) = (%c0) to (%c1) step (%c1) {
        scf.for %j = %c0 to %n step %c1 {
          "test.op"(%j) : (index) -> ()
        }
        scf.reduce
      }
      scf.yield
    } {qd.section}
    scf.execute_region no_inline {
      %m = memref.dim %x, %c0 : memref<?xf32>
      scf.parallel (%t) = (%c0) to (%c1) step (%c1) {
        scf.for %j = %c0 to %m step %c1 {
          "test.op"(%j) : (index) -> ()
        }
        scf.reduce
      }
      scf.yield
    } {qd.section}
    scf.yield
  } {qd.fork}
  func.return
}

// -----

// Known now to be too little work: the sections run in order, with no test at all.
// CHECK-LABEL: func.func @too_little_work
// CHECK-NOT:     scf.if
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// CHECK-NOT:     qd.sections
// CHECK:         func.return
func.func @too_little_work() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  scf.execute_region no_inline {
    scf.execute_region no_inline {
      scf.parallel (%t) = (%c0) to (%c10) step (%c1) {
        "test.op"(%t) : (index) -> ()
        scf.reduce
      }
      scf.yield
    } {qd.section}
    scf.execute_region no_inline {
      scf.parallel (%t) = (%c0) to (%c10) step (%c1) {
        "test.op"(%t) : (index) -> ()
        scf.reduce
      }
      scf.yield
    } {qd.section}
    scf.yield
  } {qd.fork}
  func.return
}

// -----

// A task large enough to take the whole OpenMP team (8000 iterations) keeps it: the sections
// run in order, though both hold enough serial work.
// CHECK-LABEL: func.func @a_large_task_keeps_its_team
// CHECK-NOT:     scf.if
// CHECK-NOT:     qd.sections
// CHECK:         func.return
func.func @a_large_task_keeps_its_team() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8000 = arith.constant 8000 : index
  scf.execute_region no_inline {
    scf.execute_region no_inline {
      scf.parallel (%t) = (%c0) to (%c1) step (%c1) {
        scf.for %j = %c0 to %c8000 step %c1 {
          "test.op"(%j) : (index) -> ()
        }
        scf.reduce
      }
      scf.parallel (%t) = (%c0) to (%c8000) step (%c1) {
        "test.op"(%t) : (index) -> ()
        scf.reduce
      }
      scf.yield
    } {qd.section}
    scf.execute_region no_inline {
      scf.parallel (%t) = (%c0) to (%c1) step (%c1) {
        scf.for %j = %c0 to %c8000 step %c1 {
          "test.op"(%j) : (index) -> ()
        }
        scf.reduce
      }
      scf.yield
    } {qd.section}
    scf.yield
  } {qd.fork}
  func.return
}

// -----

// Enough serial work known now in both sections (guards and serial code included): the
// sections always run at once, with no test. A third, small section comes along on a thread
// of its own. (With one OpenMP thread the team runs the three in order.)
// CHECK-LABEL: func.func @known_serial_work
// CHECK-NOT:     scf.if %{{.*}} {
// CHECK:         %[[THREE:.*]] = arith.constant 3 : index
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[THREE]])
// CHECK:           case 0 {
// CHECK:           case 1 {
// CHECK:           case 2 {
// CHECK:         } {qd.sections}
// CHECK-NOT:     qd.parallel_sections
func.func @known_serial_work(%state: memref<2xi32>, %run: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8000 = arith.constant 8000 : index
  scf.execute_region no_inline {
    scf.execute_region no_inline {
      scf.if %run {
        scf.for %j = %c0 to %c8000 step %c1 {
          "test.op"(%j) : (index) -> ()
        }
      } {qd.guard_serial}
      scf.yield
    } {qd.section}
    scf.execute_region no_inline {
      scf.if %run {
        scf.parallel (%t) = (%c0) to (%c1) step (%c1) {
          scf.for %j = %c0 to %c8000 step %c1 {
            "test.op"(%j) : (index) -> ()
          }
          scf.reduce
        }
      } {qd.guard_slot = 0 : i64}
      scf.yield
    } {qd.section}
    scf.execute_region no_inline {
      "test.op"() : () -> ()
      scf.yield
    } {qd.section}
    scf.yield
  } {qd.fork}
  func.return
}

// -----

// A loop bound read from memory inside the fork is not known before it: that loop counts as
// one iteration, so here neither section holds enough work.
// CHECK-LABEL: func.func @bound_read_from_memory
// CHECK-NOT:     scf.if
// CHECK-NOT:     qd.sections
// CHECK:         func.return
func.func @bound_read_from_memory(%bound: memref<index>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.execute_region no_inline {
    scf.execute_region no_inline {
      %n = memref.load %bound[] : memref<index>
      scf.parallel (%t) = (%c0) to (%c1) step (%c1) {
        scf.for %j = %c0 to %n step %c1 {
          "test.op"(%j) : (index) -> ()
        }
        scf.reduce
      }
      scf.yield
    } {qd.section}
    scf.execute_region no_inline {
      %n = memref.load %bound[] : memref<index>
      scf.parallel (%t) = (%c0) to (%c1) step (%c1) {
        scf.for %j = %c0 to %n step %c1 {
          "test.op"(%j) : (index) -> ()
        }
        scf.reduce
      }
      scf.yield
    } {qd.section}
    scf.yield
  } {qd.fork}
  func.return
}

// -----

// A serial loop cpu-interrupt-checks strip-mined (an scf.while {qd.strip_mined} over chunks
// around the scf.for) costs its whole range, [%c0, %n), not one chunk: these two sections
// still run at once when %n is large.
// CHECK-LABEL: func.func @strip_mined_sections
// CHECK-SAME:    (%[[X:.*]]: memref<?xf32>, %[[N:.*]]: index)
// CHECK:         %[[ENOUGH0:.*]] = arith.cmpi sge, %[[N]], %{{.*}} : index
// CHECK:         %[[ENOUGH1:.*]] = arith.cmpi sge, %[[N]], %{{.*}} : index
// CHECK:         scf.if
// CHECK:           scf.index_switch
// CHECK:         } {qd.sections}
func.func @strip_mined_sections(%x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %chunk = arith.constant 1024 : index
  scf.execute_region no_inline {
    scf.execute_region no_inline {
      scf.parallel (%t) = (%c0) to (%c1) step (%c1) {
        %last = scf.while (%start = %c0) : (index) -> index {
          %more = arith.cmpi slt, %start, %n : index
          scf.condition(%more) %start : index
        } do {
        ^bb0(%start: index):
          %next = arith.addi %start, %chunk : index
          %end = arith.minsi %next, %n : index
          scf.for %j = %start to %end step %c1 {
            "test.op"(%j) : (index) -> ()
          }
          scf.yield %end : index
        } attributes {qd.strip_mined}
        scf.reduce
      }
      scf.yield
    } {qd.section}
    scf.execute_region no_inline {
      scf.parallel (%t) = (%c0) to (%c1) step (%c1) {
        %last = scf.while (%start = %c0) : (index) -> index {
          %more = arith.cmpi slt, %start, %n : index
          scf.condition(%more) %start : index
        } do {
        ^bb0(%start: index):
          %next = arith.addi %start, %chunk : index
          %end = arith.minsi %next, %n : index
          scf.for %j = %start to %end step %c1 {
            "test.op"(%j) : (index) -> ()
          }
          scf.yield %end : index
        } attributes {qd.strip_mined}
        scf.reduce
      }
      scf.yield
    } {qd.section}
    scf.yield
  } {qd.fork}
  func.return
}
