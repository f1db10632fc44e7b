// RUN: qd-opt %s | FileCheck %s
// Hand-written generic IR (as another tool would emit it) parses into the custom form.

// CHECK: checkpoint.region slot 0 label -1 {
// CHECK: checkpoint.do_while %{{.*}} : memref<i32> {
"builtin.module"() ({
  "func.func"() <{sym_name = "generic_kernel", function_type = (memref<i32>) -> ()}> ({
  ^bb0(%cond: memref<i32>):
    "checkpoint.region"() <{slot = 0 : i64, label = -1 : i64}> ({
      "test.op"() : () -> ()
    }) : () -> ()
    "checkpoint.do_while"(%cond) ({
    ^bb0:
    }) : (memref<i32>) -> ()
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()
