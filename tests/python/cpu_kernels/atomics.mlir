// A histogram (atomic addi, kind 1) and a float sum (atomic addf, kind 0) from every iteration.
func.func @atomics(%vals: memref<?xi32>, %bins: memref<?xi32>, %total: memref<f64>, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1 : i32
  %n = memref.dim %vals, %c0 : memref<?xi32>
  %nbins = memref.dim %bins, %c0 : memref<?xi32>
  "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
  ^bb0(%i: index):
    %v = memref.load %vals[%i] : memref<?xi32>
    %vi = arith.index_cast %v : i32 to index
    %b = arith.remui %vi, %nbins : index
    %old = "memref.atomic_rmw"(%one, %bins, %b) <{kind = 1 : i64}> : (i32, memref<?xi32>, index) -> i32
    %vf = arith.sitofp %v : i32 to f64
    %oldf = "memref.atomic_rmw"(%vf, %total) <{kind = 0 : i64}> : (f64, memref<f64>) -> f64
    scf.reduce
  }) : (index, index, index) -> ()
  func.return
}
