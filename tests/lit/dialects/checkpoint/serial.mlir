// RUN: qd-opt %s | qd-opt | FileCheck %s
// `checkpoint.serial` holds one serial statement (or a serial task inside a region).

// CHECK-LABEL: func.func @serial_statement
// CHECK:         checkpoint.serial {
// CHECK-NEXT:      %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT:      memref.store %[[ZERO]], %{{.*}}[] : memref<i32>
// CHECK-NEXT:    }
func.func @serial_statement(%total: memref<i32>) {
  checkpoint.serial {
    %zero = arith.constant 0 : i32
    memref.store %zero, %total[] : memref<i32>
  }
  func.return
}

// A serial task inside an explicit checkpoint.
// CHECK-LABEL: func.func @serial_task_in_region
// CHECK:         checkpoint.region label 2 {
// CHECK-NEXT:      checkpoint.serial {
func.func @serial_task_in_region() {
  checkpoint.region label 2 {
    checkpoint.serial {
      "test.op"() : () -> ()
    }
  }
  func.return
}
