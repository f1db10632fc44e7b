// Math functions: LLVM intrinsics (exp, sin, sqrt, powf, fpowi), libm calls (tanh, atan2, erf,
// cbrt, log1p) and an integer power helper (ipowi).
//   out32[i] = exp(x) + sin(x) + tanh(x) + sqrt(|x|) + atan2(x, 2) + x**p
//   out64[i] = log1p(|y|) + cos(y) + erf(y) + cbrt(y) + |y|**1.5 + p**3
func.func @mathk(%x: memref<?xf32>, %y: memref<?xf64>, %out32: memref<?xf32>, %out64: memref<?xf64>, %p: i32, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3 : i32
  %exp15 = arith.constant 1.5 : f64
  %n = memref.dim %x, %c0 : memref<?xf32>
  "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
  ^bb0(%i: index):
    %a = memref.load %x[%i] : memref<?xf32>
    %e = math.exp %a : f32
    %s = math.sin %a : f32
    %t = math.tanh %a : f32
    %ab = math.absf %a : f32
    %q = math.sqrt %ab : f32
    %at = math.atan2 %a, %two : f32
    %pw = math.fpowi %a, %p : f32, i32
    %r1 = arith.addf %e, %s : f32
    %r2 = arith.addf %r1, %t : f32
    %r3 = arith.addf %r2, %q : f32
    %r4 = arith.addf %r3, %at : f32
    %r5 = arith.addf %r4, %pw : f32
    memref.store %r5, %out32[%i] : memref<?xf32>
    %b = memref.load %y[%i] : memref<?xf64>
    %bb = math.absf %b : f64
    %l = math.log1p %bb : f64
    %c = math.cos %b : f64
    %er = math.erf %b : f64
    %cb = math.cbrt %b : f64
    %pf = math.powf %bb, %exp15 : f64
    %ip = math.ipowi %p, %three : i32
    %ipf = arith.sitofp %ip : i32 to f64
    %s1 = arith.addf %l, %c : f64
    %s2 = arith.addf %s1, %er : f64
    %s3 = arith.addf %s2, %cb : f64
    %s4 = arith.addf %s3, %pf : f64
    %s5 = arith.addf %s4, %ipf : f64
    memref.store %s5, %out64[%i] : memref<?xf64>
    scf.reduce
  }) : (index, index, index) -> ()
  func.return
}
