// RUN: qd-opt %s -p checkpoint-number --split-input-file | FileCheck %s
// A task in a section is an implicit checkpoint like any other: it gets a slot in source
// order, across the sections of a fork and around it (docs/semantics.md, "Parallel sections").

// CHECK-LABEL: func.func @slots_across_sections
// CHECK:         checkpoint.region slot 0 {
// CHECK:         checkpoint.parallel section {
// CHECK-NEXT:      checkpoint.region slot 1 {
// CHECK:           checkpoint.region slot 2 {
// CHECK:         } section {
// CHECK-NEXT:      checkpoint.serial {
// CHECK:           checkpoint.region slot 3 {
// CHECK:         }
// CHECK:         checkpoint.region slot 4 label 9 {
// CHECK:         func.return
func.func @slots_across_sections(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  checkpoint.parallel section {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  } section {
    checkpoint.serial {
      "test.op"() : () -> ()
    }
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  checkpoint.region label 9 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  func.return
}

// -----

// A section's glue (the bound of its task) stays in the section, before the task's region.
// CHECK-LABEL: func.func @glue_stays_in_its_section
// CHECK:         checkpoint.do_while
// CHECK-NEXT:      checkpoint.parallel section {
// CHECK-NEXT:        %[[N:.*]] = memref.dim
// CHECK-NEXT:        checkpoint.region slot 0 {
// CHECK-NEXT:          scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[N]])
func.func @glue_stays_in_its_section(%x: memref<?xf32>, %cond: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.parallel section {
      %n = memref.dim %x, %c0 : memref<?xf32>
      scf.parallel (%i) = (%c0) to (%n) step (%c1) {
        "test.op"(%i) : (index) -> ()
        scf.reduce
      }
    }
  }
  func.return
}
