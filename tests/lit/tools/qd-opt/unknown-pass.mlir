// RUN: not qd-opt %s -p checkpoint-numbr 2>&1 | FileCheck %s
// A misspelled pass is one line that lists the available ones; never a traceback.

// CHECK: qd-opt: error: unknown pass 'checkpoint-numbr' (available: {{.*}}cse{{.*}})
// CHECK-NOT: Traceback
func.func @f() {
  func.return
}
