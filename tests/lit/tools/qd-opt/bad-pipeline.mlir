// RUN: not qd-opt %s -p 'cse{' 2>&1 | FileCheck %s --check-prefix=UNCLOSED
// RUN: not qd-opt %s -p 'cse{bogus=1}' 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not qd-opt %s --pass-pipeline='builtin.module(func.func(cse))' 2>&1 | FileCheck %s --check-prefix=NESTED
// A malformed pipeline string is one error line and a non-zero exit.

// UNCLOSED: qd-opt: error: bad pass pipeline 'cse{': Expected argument name here
// OPTION:   qd-opt: error: {{.*}}bogus
// NESTED:   qd-opt: error: pass pipeline 'func.func(cse)' nests passes under an op
// UNCLOSED-NOT: Traceback
func.func @f() {
  func.return
}
