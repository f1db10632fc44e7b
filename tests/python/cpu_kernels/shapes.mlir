// 0-d to 3-d memrefs: out[i, j, k] = a0[] + a1[i] + a2[i, j] * k, one 3-d task.
func.func @shapes(%a0: memref<f64>, %a1: memref<?xf64>, %a2: memref<?x?xf64>, %out: memref<?x?x?xf64>, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %n0 = memref.dim %out, %c0 : memref<?x?x?xf64>
  %n1 = memref.dim %out, %c1 : memref<?x?x?xf64>
  %n2 = memref.dim %out, %c2 : memref<?x?x?xf64>
  %base = memref.load %a0[] : memref<f64>
  "scf.parallel"(%c0, %c0, %c0, %n0, %n1, %n2, %c1, %c1, %c1) <{operandSegmentSizes = array<i32: 3, 3, 3, 0>}> ({
  ^bb0(%i: index, %j: index, %k: index):
    %x1 = memref.load %a1[%i] : memref<?xf64>
    %x2 = memref.load %a2[%i, %j] : memref<?x?xf64>
    %ki = arith.index_cast %k : index to i64
    %kf = arith.sitofp %ki : i64 to f64
    %t = arith.mulf %x2, %kf : f64
    %u = arith.addf %base, %x1 : f64
    %v = arith.addf %u, %t : f64
    memref.store %v, %out[%i, %j, %k] : memref<?x?x?xf64>
    scf.reduce
  }) : (index, index, index, index, index, index, index, index, index) -> ()
  func.return
}
