// Control flow inside a task body: an scf.if whose then-branch holds an scf.for.
//   for i: if x[i] > 0: for j in range(k): x[i] += 1.0   else: x[i] = 0.0
func.func @branches(%x: memref<?xf32>, %k: i32, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %n = memref.dim %x, %c0 : memref<?xf32>
  %kk = arith.index_cast %k : i32 to index
  "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
  ^bb0(%i: index):
    %v = memref.load %x[%i] : memref<?xf32>
    %pos = arith.cmpf ogt, %v, %zero : f32
    scf.if %pos {
      scf.for %j = %c0 to %kk step %c1 {
        %w = memref.load %x[%i] : memref<?xf32>
        %w1 = arith.addf %w, %one : f32
        memref.store %w1, %x[%i] : memref<?xf32>
      }
    } else {
      memref.store %zero, %x[%i] : memref<?xf32>
    }
    scf.reduce
  }) : (index, index, index) -> ()
  func.return
}
