// RUN: qd-opt %s -p checkpoint-lower --split-input-file | FileCheck %s
// RUN: qd-opt %s -p 'checkpoint-lower{target=gpu}' --split-input-file | FileCheck %s --check-prefix=GPU
// A fork/join of two or more sections becomes nested `scf.execute_region no_inline` ops, one
// per section (passes/sections.py); each task in a section keeps its own slot guard, so a
// resume past the fork skips it. A fork with one section is that section; an empty one goes.

// CHECK-LABEL: func.func @two_sections
// CHECK:         scf.execute_region no_inline {
// CHECK-NEXT:      scf.execute_region no_inline {
// CHECK:             %[[RUN0:.*]] = arith.andi
// CHECK-NEXT:        scf.if %[[RUN0]] {
// CHECK-NEXT:          scf.parallel
// CHECK:             }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:        scf.yield
// CHECK-NEXT:      } {qd.section}
// CHECK-NEXT:      scf.execute_region no_inline {
// CHECK:             scf.if %{{.*}} {
// CHECK-NEXT:          "test.op"() {serial}
// CHECK-NEXT:        }{qd.guard_serial}
// CHECK:             scf.if %{{.*}} {
// CHECK-NEXT:          scf.parallel
// CHECK:             }{qd.guard_slot = 1 : i64}
// CHECK-NEXT:        scf.yield
// CHECK-NEXT:      } {qd.section}
// CHECK-NEXT:      scf.yield
// CHECK-NEXT:    } {qd.fork}
// CHECK-NOT:     checkpoint.
// On a GPU each task tests its slot inside; serial code is a one-iteration kernel.
// GPU-LABEL: func.func @two_sections
// GPU:         scf.execute_region no_inline {
// GPU-NEXT:      scf.execute_region no_inline {
// GPU-NEXT:        scf.parallel
// GPU:               scf.if %{{.*}} {
// GPU-NEXT:            "test.op"(%{{.*}}) : (index) -> ()
// GPU-NEXT:          }{qd.guard_slot = 0 : i64}
// GPU:           } {qd.section}
// GPU-NEXT:      scf.execute_region no_inline {
// GPU:             scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// GPU:               "test.op"() {serial}
// GPU:               }{qd.guard_serial}
// GPU:           } {qd.section}
// GPU-NEXT:      scf.yield
// GPU-NEXT:    } {qd.fork}
func.func @two_sections(%n: index) attributes {qd.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.parallel section {
    checkpoint.region slot 0 {
      scf.parallel (%i) = (%c0) to (%n) step (%c1) {
        "test.op"(%i) : (index) -> ()
        scf.reduce
      }
    }
  } section {
    checkpoint.serial {
      "test.op"() {serial} : () -> ()
    }
    checkpoint.region slot 1 {
      scf.parallel (%i) = (%c0) to (%n) step (%c1) {
        "test.op"(%i) : (index) -> ()
        scf.reduce
      }
    }
  }
  func.return
}

// -----

// One non-empty section needs no fork: its ops take the fork's place. An empty fork leaves
// nothing behind.
// CHECK-LABEL: func.func @one_section_and_an_empty_fork
// CHECK-NOT:     scf.execute_region
// CHECK:         scf.if
// CHECK-NEXT:      scf.parallel
// CHECK:         }{qd.guard_slot = 0 : i64}
// CHECK-NEXT:    func.return
func.func @one_section_and_an_empty_fork(%n: index) attributes {qd.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.parallel section {
  } section {
    checkpoint.region slot 0 {
      scf.parallel (%i) = (%c0) to (%n) step (%c1) {
        "test.op"(%i) : (index) -> ()
        scf.reduce
      }
    }
  }
  checkpoint.parallel
  func.return
}

// -----

// A do-while whose last slot sits in a fork guards its entry with that slot, as for any
// slot in its body: resuming past the loop skips it.
// CHECK-LABEL: func.func @fork_in_a_do_while
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      scf.while
// CHECK-NEXT:        scf.execute_region no_inline {
// CHECK:             } {qd.fork}
// CHECK:             memref.store %{{.*}}, %qd_state
// CHECK:             scf.condition
// CHECK:         }{qd.guard_slot = 1 : i64}
func.func @fork_in_a_do_while(%n: index, %cond: memref<i32>) attributes {qd.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.parallel section {
      checkpoint.region slot 0 {
        scf.parallel (%i) = (%c0) to (%n) step (%c1) {
          "test.op"(%i) : (index) -> ()
          scf.reduce
        }
      }
    } section {
      checkpoint.region slot 1 {
        scf.parallel (%i) = (%c0) to (%n) step (%c1) {
          "test.op"(%i) : (index) -> ()
          scf.reduce
        }
      }
    }
  }
  func.return
}
