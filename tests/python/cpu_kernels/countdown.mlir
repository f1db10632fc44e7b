// A do-while over `counter` (docs/architecture.md §3):
//   while qd.graph_do_while(counter):
//       for i: acc[i] += 1                       (slot 0)
//       counter[()] -= 1                         (serial statement)
//       with qd.checkpoint(5, yield_on=flag):    (slot 1)
//           for i: acc[i] += 10
func.func @countdown(%acc: memref<?xi64>, %counter: memref<i32>, %flag: memref<i32>, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %none = arith.constant -1 : i32
  %zero = arith.constant 0 : i32
  %one32 = arith.constant 1 : i32
  %one = arith.constant 1 : i64
  %ten = arith.constant 10 : i64
  %slot0 = arith.constant 0 : i32
  %slot1 = arith.constant 1 : i32
  %n = memref.dim %acc, %c0 : memref<?xi64>
  %rp = memref.load %qd_state[%c0] : memref<2xi32>
  %entered = arith.cmpi sle, %rp, %slot1 : i32
  %ya = memref.load %qd_state[%c1] : memref<2xi32>
  %free = arith.cmpi eq, %ya, %none : i32
  %go = arith.andi %entered, %free : i1
  scf.if %go {
    "scf.while"() ({
      %rp0 = memref.load %qd_state[%c0] : memref<2xi32>
      %reached0 = arith.cmpi sle, %rp0, %slot0 : i32
      %ya0 = memref.load %qd_state[%c1] : memref<2xi32>
      %free0 = arith.cmpi eq, %ya0, %none : i32
      %go0 = arith.andi %reached0, %free0 : i1
      scf.if %go0 {
        "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
        ^bb0(%i: index):
          %v = memref.load %acc[%i] : memref<?xi64>
          %w = arith.addi %v, %one : i64
          memref.store %w, %acc[%i] : memref<?xi64>
          scf.reduce
        }) : (index, index, index) -> ()
      } {qd.guard_slot = 0 : i64}
      %yas = memref.load %qd_state[%c1] : memref<2xi32>
      %frees = arith.cmpi eq, %yas, %none : i32
      scf.if %frees {
        %k = memref.load %counter[] : memref<i32>
        %k1 = arith.subi %k, %one32 : i32
        memref.store %k1, %counter[] : memref<i32>
      } {qd.guard_serial}
      %rp1 = memref.load %qd_state[%c0] : memref<2xi32>
      %reached1 = arith.cmpi sle, %rp1, %slot1 : i32
      %ya1 = memref.load %qd_state[%c1] : memref<2xi32>
      %free1 = arith.cmpi eq, %ya1, %none : i32
      %go1 = arith.andi %reached1, %free1 : i1
      scf.if %go1 {
        "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
        ^bb0(%i: index):
          %v = memref.load %acc[%i] : memref<?xi64>
          %w = arith.addi %v, %ten : i64
          memref.store %w, %acc[%i] : memref<?xi64>
          scf.reduce
        }) : (index, index, index) -> ()
        %f = memref.load %flag[] : memref<i32>
        %raised = arith.cmpi ne, %f, %zero : i32
        scf.if %raised {
          memref.store %slot1, %qd_state[%c1] : memref<2xi32>
        }
      } {qd.guard_slot = 1 : i64}
      memref.store %zero, %qd_state[%c0] : memref<2xi32>
      %k = memref.load %counter[] : memref<i32>
      %again = arith.cmpi ne, %k, %zero : i32
      %yac = memref.load %qd_state[%c1] : memref<2xi32>
      %freec = arith.cmpi eq, %yac, %none : i32
      %goon = arith.andi %again, %freec : i1
      scf.condition(%goon)
    }, {
      scf.yield
    }) : () -> ()
  } {qd.guard_slot = 1 : i64}
  func.return
}
