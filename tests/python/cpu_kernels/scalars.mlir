// Scalar arguments of every required type, widened to f64 into out[0..5]:
// a: i32, b: i64, c: f32, d: f64, e: u8 (i8 in MLIR), f: u32 (i32 in MLIR).
func.func @scalars(%out: memref<?xf64>, %a: i32, %b: i64, %c: f32, %d: f64, %e: i8, %f: i32, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %i0 = arith.constant 0 : index
  %i1 = arith.constant 1 : index
  %i2 = arith.constant 2 : index
  %i3 = arith.constant 3 : index
  %i4 = arith.constant 4 : index
  %i5 = arith.constant 5 : index
  %va = arith.sitofp %a : i32 to f64
  %vb = arith.sitofp %b : i64 to f64
  %vc = arith.extf %c : f32 to f64
  %ve = arith.uitofp %e : i8 to f64
  %vf = arith.uitofp %f : i32 to f64
  memref.store %va, %out[%i0] : memref<?xf64>
  memref.store %vb, %out[%i1] : memref<?xf64>
  memref.store %vc, %out[%i2] : memref<?xf64>
  memref.store %d, %out[%i3] : memref<?xf64>
  memref.store %ve, %out[%i4] : memref<?xf64>
  memref.store %vf, %out[%i5] : memref<?xf64>
  func.return
}
