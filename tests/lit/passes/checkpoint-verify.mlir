// RUN: qd-opt %s -p checkpoint-verify --split-input-file | FileCheck %s
// RUN: qd-opt %s -p checkpoint-number,checkpoint-verify --split-input-file | FileCheck %s --check-prefix=NUMBERED
// checkpoint-verify accepts what docs/semantics.md allows and changes nothing, before and after
// numbering.

// Glue of every kind (arith, math, index casts, memref.dim/load/alloca) at the top level and
// in regions; serial statements and serial tasks; a do-while on a kernel argument.
// CHECK-LABEL: func.func @everything_allowed
// CHECK:         %{{.*}} = memref.alloca() : memref<i32>
// CHECK:         checkpoint.region label 7 yield_on 1 "flag" {
// CHECK:         checkpoint.do_while
// NUMBERED-LABEL: func.func @everything_allowed
// NUMBERED:        checkpoint.region slot 0 label 7 yield_on 1 "flag" {
// NUMBERED:        checkpoint.region slot 1 {
func.func @everything_allowed(%a: memref<?xf32>, %flag: memref<i32>, %cond: memref<i32>, %k: i32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  %local = memref.alloca() : memref<i32>
  %ki = arith.index_cast %k : i32 to index
  %x = memref.load %a[%c0] : memref<?xf32>
  %r = math.sqrt %x : f32
  checkpoint.serial {
    memref.store %k, %local[] : memref<i32>
  }
  checkpoint.region label 7 yield_on 1 "flag" {
    %m = arith.minui %n, %ki : index
    scf.parallel (%i) = (%c0) to (%m) step (%c1) {
      memref.store %r, %a[%i] : memref<?xf32>
      scf.reduce
    }
    checkpoint.serial {
      memref.store %k, %flag[] : memref<i32>
    }
  }
  checkpoint.do_while %cond : memref<i32> {
    %v = memref.load %local[] : memref<i32>
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      memref.store %v, %cond[] : memref<i32>
      scf.reduce
    }
  }
  func.return
}

// -----

// A label may repeat across kernels, and negative labels are fine.
// CHECK-LABEL: func.func @first
// CHECK:         checkpoint.region label -1 {
// CHECK-LABEL: func.func @second
// CHECK:         checkpoint.region label -1 {
func.func @first() {
  checkpoint.region label -1 {}
  func.return
}
func.func @second() {
  checkpoint.region label -1 {}
  func.return
}

// -----

// Do-while loops nest, and a numbered kernel with dense slots passes.
// CHECK-LABEL: func.func @numbered_nested_loops
// CHECK:         checkpoint.do_while
// CHECK:           checkpoint.do_while
// CHECK:             checkpoint.region slot 1 label 2 {
func.func @numbered_nested_loops(%outer: memref<i32>, %inner: memref<i32>) {
  checkpoint.region slot 0 {}
  checkpoint.do_while %outer : memref<i32> {
    checkpoint.do_while %inner : memref<i32> {
      checkpoint.region slot 1 label 2 {}
    }
  }
  checkpoint.region slot 2 {}
  func.return
}

// -----

// A fork at the top level and in a do-while body; its sections hold tasks, serial statements
// and glue, like a do-while body without do-whiles.
// CHECK-LABEL: func.func @sections
// CHECK:         checkpoint.parallel section {
// CHECK:         checkpoint.do_while
// CHECK-NEXT:      checkpoint.parallel section {
// NUMBERED-LABEL: func.func @sections
// NUMBERED:        checkpoint.region slot 0 {
// NUMBERED:        checkpoint.region slot 1 {
// NUMBERED:        checkpoint.region slot 2 {
func.func @sections(%x: memref<?xf32>, %cond: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.parallel section {
    %n = memref.dim %x, %c0 : memref<?xf32>
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  } section {
    checkpoint.serial {
      "test.op"() : () -> ()
    }
    scf.parallel (%i) = (%c0) to (%c1) step (%c1) {
      "test.op"(%i) : (index) -> ()
      scf.reduce
    }
  }
  checkpoint.do_while %cond : memref<i32> {
    checkpoint.parallel section {
      scf.parallel (%i) = (%c0) to (%c1) step (%c1) {
        "test.op"(%i) : (index) -> ()
        scf.reduce
      }
    } section {
    }
  }
  func.return
}
