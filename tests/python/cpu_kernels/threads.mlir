// Records which OpenMP thread ran each iteration: out[i] = omp_get_thread_num().
func.func private @omp_get_thread_num() -> i32
func.func @threads(%out: memref<?xi32>, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %out, %c0 : memref<?xi32>
  "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
  ^bb0(%i: index):
    %t = func.call @omp_get_thread_num() : () -> i32
    memref.store %t, %out[%i] : memref<?xi32>
    scf.reduce
  }) : (index, index, index) -> ()
  func.return
}
