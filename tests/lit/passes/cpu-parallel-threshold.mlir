// RUN: qd-opt %s -p 'cpu-parallel-threshold{min-trip=1000}' --split-input-file | FileCheck %s
// RUN: qd-opt %s -p cpu-parallel-threshold --split-input-file | FileCheck %s --check-prefix=DEFAULT
// RUN: qd-opt %s -p 'cpu-parallel-threshold{min-trip=1000},cpu-parallel-threshold{min-trip=1000}' --split-input-file | FileCheck %s
// Each outermost scf.parallel runs in parallel only when its estimated work, trip count times
// body cost, reaches that of min-trip iterations of `c[i] = a[i] + b[i]` (cost 4); below it a
// serial scf.for copy runs on the calling thread (docs/targets.md, CPU). A "test.op" costs 1,
// so with min-trip=1000 a loop of test.op goes parallel from 4000 iterations.
// The third RUN line shows the pass is idempotent: a guarded loop is not guarded again.

// A dynamic trip count: a guard on `n >= 4000`. The task body becomes a function of its own
// over a sub-range (passes/task_outlining.py), compiled once: the serial branch calls it on
// the whole range, the parallel branch calls the declaration @<task>.parallel with the range
// and the step, which the CPU target defines after the lowering to the LLVM dialect (one
// OpenMP fork running the task function on a chunk per thread, passes/targets/cpu_parallel.py).
// CHECK-LABEL: func.func @dynamic_trip_count
// CHECK-SAME:    (%[[A:.*]]: memref<?xf32>, %[[N:.*]]: index)
// CHECK:         %[[LB:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[STEP:.*]] = arith.constant 1 : index
// CHECK-NEXT:    %[[MIN:.*]] = arith.constant 4000 : index
// CHECK-NEXT:    %[[BIG:.*]] = arith.cmpi sge, %[[N]], %[[MIN]] : index
// CHECK-NEXT:    scf.if %[[BIG]] {
// CHECK-NEXT:      func.call @dynamic_trip_count.task0.parallel(%[[LB]], %[[N]], %[[STEP]]) : (index, index, index) -> ()
// CHECK-NEXT:    } else {
// CHECK-NEXT:      func.call @dynamic_trip_count.task0(%[[LB]], %[[N]]) : (index, index) -> ()
// CHECK-NEXT:    }{qd.parallel_threshold = 1000 : i64}
// CHECK-NOT:     scf.if
// CHECK-NOT:     scf.parallel
// CHECK-LABEL: func.func private @dynamic_trip_count.task0
// CHECK-SAME:    (%[[FROM:.*]]: index, %[[TO:.*]]: index) attributes {passthrough = ["noinline"]}
// CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT:    scf.for %[[I:.*]] = %[[FROM]] to %[[TO]] step %[[ONE]] {
// CHECK-NEXT:      "test.op"(%[[I]])
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return
// CHECK:       func.func private @dynamic_trip_count.task0.parallel(index, index, index) -> () attributes {qd.parallel_for = @dynamic_trip_count.task0}
// DEFAULT-LABEL: func.func @dynamic_trip_count
// DEFAULT:         arith.constant 262144 : index
// DEFAULT:         {qd.parallel_threshold = 65536 : i64}
func.func @dynamic_trip_count(%a: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  func.return
}

// -----

// A constant trip count below the threshold is decided here: only the serial loop is left.
// CHECK-LABEL: func.func @small_constant_trip_count
// CHECK-NOT:     scf.if
// CHECK-NOT:     scf.parallel
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT:      "test.op"
func.func @small_constant_trip_count() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3999 = arith.constant 3999 : index
  scf.parallel (%i) = (%c0) to (%c3999) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  func.return
}

// -----

// A constant trip count at the threshold stays parallel, unguarded: this case is left unchanged.
// CHECK-LABEL: func.func @large_constant_trip_count
// CHECK-NEXT:    %{{.*}} = arith.constant 0 : index
// CHECK-NEXT:    %{{.*}} = arith.constant 1 : index
// CHECK-NEXT:    %{{.*}} = arith.constant 4000 : index
// CHECK-NEXT:    scf.parallel
// CHECK-NOT:     scf.if
// CHECK-NOT:     scf.for
func.func @large_constant_trip_count() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4000 = arith.constant 4000 : index
  scf.parallel (%i) = (%c0) to (%c4000) step (%c1) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  func.return
}

// -----

// A lower bound and a step: the trip count is ceildiv(ub - lb, step).
// CHECK-LABEL: func.func @bounds_and_step
// CHECK-SAME:    (%[[LB:.*]]: index, %[[UB:.*]]: index)
// CHECK:         %[[C4:.*]] = arith.constant 4 : index
// CHECK:         %[[SPAN:.*]] = arith.subi %[[UB]], %[[LB]] : index
// CHECK-NEXT:    %[[TRIP:.*]] = arith.ceildivsi %[[SPAN]], %[[C4]] : index
// CHECK-NEXT:    %[[MIN:.*]] = arith.constant 4000 : index
// CHECK-NEXT:    arith.cmpi sge, %[[TRIP]], %[[MIN]] : index
// CHECK:         func.call @bounds_and_step.task0(%[[LB]], %[[UB]])
// CHECK-LABEL: func.func private @bounds_and_step.task0
// CHECK:         %[[STEP:.*]] = arith.constant 4 : index
// CHECK-NEXT:    scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[STEP]] {
func.func @bounds_and_step(%lb: index, %ub: index) {
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%lb) to (%ub) step (%c4) {
    "test.op"(%i) : (index) -> ()
    scf.reduce
  }
  func.return
}

// -----

// Two dimensions with a reduction: the trip counts multiply; the body (a load and an addf)
// costs 2, so the threshold is 2000. The serial copy is a loop nest that carries the
// accumulator and applies the reduce body; the guard yields the result.
// CHECK-LABEL: func.func @two_dims_with_reduction
// CHECK-SAME:    (%[[A:.*]]: memref<?x?xf32>, %[[N:.*]]: index, %[[M:.*]]: index)
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[WORK:.*]] = arith.muli %[[N]], %[[M]] : index
// CHECK-NEXT:    %[[MIN:.*]] = arith.constant 2000 : index
// CHECK-NEXT:    %[[BIG:.*]] = arith.cmpi sge, %[[WORK]], %[[MIN]] : index
// CHECK-NEXT:    %[[SUM:.*]] = scf.if %[[BIG]] -> (f32) {
// CHECK-NEXT:      %[[PAR:.*]] = scf.parallel
// CHECK:           scf.yield %[[PAR]] : f32
// CHECK-NEXT:    } else {
// CHECK-NEXT:      %[[OUTER:.*]] = scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[ACC0:.*]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT:        %[[INNER:.*]] = scf.for %[[J:.*]] = %{{.*}} to %[[M]] step %{{.*}} iter_args(%[[ACC1:.*]] = %[[ACC0]]) -> (f32) {
// CHECK-NEXT:          %[[X:.*]] = memref.load %[[A]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT:          %[[NEXT:.*]] = arith.addf %[[ACC1]], %[[X]] : f32
// CHECK-NEXT:          scf.yield %[[NEXT]] : f32
// CHECK-NEXT:        }
// CHECK-NEXT:        scf.yield %[[INNER]] : f32
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.yield %[[OUTER]] : f32
// CHECK-NEXT:    }{qd.parallel_threshold = 1000 : i64}
// CHECK-NEXT:    func.return %[[SUM]] : f32
func.func @two_dims_with_reduction(%a: memref<?x?xf32>, %n: index, %m: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.parallel (%i, %j) = (%c0, %c0) to (%n, %m) step (%c1, %c1) init (%zero) -> f32 {
    %x = memref.load %a[%i, %j] : memref<?x?xf32>
    scf.reduce(%x : f32) {
    ^bb1(%lhs: f32, %rhs: f32):
      %s = arith.addf %lhs, %rhs : f32
      scf.reduce.return %s : f32
    }
  }
  func.return %sum : f32
}

// -----

// A nested scf.parallel becomes an scf.for in both branches (OpenMP would run it serially
// anyway, after a fork per outer iteration); its trip count multiplies the work.
// CHECK-LABEL: func.func @nested_parallel
// CHECK-SAME:    (%[[N:.*]]: index, %[[M:.*]]: index)
// CHECK:         %[[WORK:.*]] = arith.muli %[[N]], %[[M]] : index
// CHECK:         scf.if %{{.*}} {
// CHECK-NEXT:      func.call @nested_parallel.task0.parallel(%[[M]],
// CHECK:         } else {
// CHECK-NEXT:      func.call @nested_parallel.task0(%[[M]],
// CHECK-LABEL: func.func private @nested_parallel.task0
// CHECK-NEXT:    %[[C0:.*]] = arith.constant 0 : index
// CHECK:         scf.for
// CHECK-NEXT:      scf.for %{{.*}} = %[[C0]] to
// CHECK-NEXT:        "test.op"
// CHECK-NOT:     scf.parallel
func.func @nested_parallel(%n: index, %m: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.parallel (%j) = (%c0) to (%m) step (%c1) {
      "test.op"(%i, %j) : (index, index) -> ()
      scf.reduce
    }
    scf.reduce
  }
  func.return
}

// -----

// Inner loops count when their bounds are known before the task: sibling loops add, so the
// work is n * (m + 1); the triangular loop (bound %i, computed inside) counts its body once.
// CHECK-LABEL: func.func @inner_loops_count
// CHECK-SAME:    (%[[N:.*]]: index, %[[M:.*]]: index)
// CHECK:         %[[PER_ITER:.*]] = arith.addi %[[M]], %{{.*}} : index
// CHECK-NEXT:    %[[WORK:.*]] = arith.muli %[[N]], %[[PER_ITER]] : index
// CHECK-NEXT:    %[[MIN:.*]] = arith.constant 4000 : index
// CHECK-NEXT:    arith.cmpi sge, %[[WORK]], %[[MIN]] : index
func.func @inner_loops_count(%n: index, %m: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.for %j = %c0 to %m step %c1 {
      "test.op"(%i, %j) : (index, index) -> ()
    }
    scf.for %k = %c0 to %i step %c1 {
      "test.op"(%i, %k) : (index, index) -> ()
    }
    scf.reduce
  }
  func.return
}

// -----

// A costly body goes parallel sooner: load 1 + math.exp 16 + store 1 = 18, so the threshold
// is ceil(4000 / 18) = 223 iterations; with a division (4) instead: 6, so 667.
// CHECK-LABEL: func.func @costly_body
// CHECK:         arith.constant 223 : index
// CHECK-LABEL: func.func @division_body
// CHECK:         arith.constant 667 : index
func.func @costly_body(%a: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %x = memref.load %a[%i] : memref<?xf32>
    %y = math.exp %x : f32
    memref.store %y, %a[%i] : memref<?xf32>
    scf.reduce
  }
  func.return
}
func.func @division_body(%a: memref<?xi32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %seven = arith.constant 7 : i32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %x = memref.load %a[%i] : memref<?xi32>
    %y = arith.divsi %x, %seven : i32
    memref.store %y, %a[%i] : memref<?xi32>
    scf.reduce
  }
  func.return
}

// -----

// Code without scf.parallel is left alone.
// CHECK-LABEL: func.func @no_parallel_loop
// CHECK:         scf.for
// CHECK-NOT:     scf.if
func.func @no_parallel_loop(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    "test.op"(%i) : (index) -> ()
  }
  func.return
}
