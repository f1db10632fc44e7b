// Three tasks in lowered form (docs/architecture.md §3); slot 1 is `qd.checkpoint(10, yield_on=flag)`.
//   slot 0: x[i] += 1      slot 1: x[i] *= s, then the flag check      slot 2: x[i] = sqrt(x[i])
func.func @graph3(%x: memref<?xf32>, %flag: memref<i32>, %s: f32, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %none = arith.constant -1 : i32
  %zero = arith.constant 0 : i32
  %one = arith.constant 1.0 : f32
  %n = memref.dim %x, %c0 : memref<?xf32>
  %slot0 = arith.constant 0 : i32
  %rp0 = memref.load %qd_state[%c0] : memref<2xi32>
  %reached0 = arith.cmpi sle, %rp0, %slot0 : i32
  %ya0 = memref.load %qd_state[%c1] : memref<2xi32>
  %free0 = arith.cmpi eq, %ya0, %none : i32
  %go0 = arith.andi %reached0, %free0 : i1
  scf.if %go0 {
    "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
    ^bb0(%i: index):
      %v = memref.load %x[%i] : memref<?xf32>
      %w = arith.addf %v, %one : f32
      memref.store %w, %x[%i] : memref<?xf32>
      scf.reduce
    }) : (index, index, index) -> ()
  } {qd.guard_slot = 0 : i64}
  %slot1 = arith.constant 1 : i32
  %rp1 = memref.load %qd_state[%c0] : memref<2xi32>
  %reached1 = arith.cmpi sle, %rp1, %slot1 : i32
  %ya1 = memref.load %qd_state[%c1] : memref<2xi32>
  %free1 = arith.cmpi eq, %ya1, %none : i32
  %go1 = arith.andi %reached1, %free1 : i1
  scf.if %go1 {
    "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
    ^bb0(%i: index):
      %v = memref.load %x[%i] : memref<?xf32>
      %w = arith.mulf %v, %s : f32
      memref.store %w, %x[%i] : memref<?xf32>
      scf.reduce
    }) : (index, index, index) -> ()
    %f = memref.load %flag[] : memref<i32>
    %raised = arith.cmpi ne, %f, %zero : i32
    scf.if %raised {
      memref.store %slot1, %qd_state[%c1] : memref<2xi32>
    }
  } {qd.guard_slot = 1 : i64}
  %slot2 = arith.constant 2 : i32
  %rp2 = memref.load %qd_state[%c0] : memref<2xi32>
  %reached2 = arith.cmpi sle, %rp2, %slot2 : i32
  %ya2 = memref.load %qd_state[%c1] : memref<2xi32>
  %free2 = arith.cmpi eq, %ya2, %none : i32
  %go2 = arith.andi %reached2, %free2 : i1
  scf.if %go2 {
    "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
    ^bb0(%i: index):
      %v = memref.load %x[%i] : memref<?xf32>
      %w = math.sqrt %v : f32
      memref.store %w, %x[%i] : memref<?xf32>
      scf.reduce
    }) : (index, index, index) -> ()
  } {qd.guard_slot = 2 : i64}
  func.return
}
