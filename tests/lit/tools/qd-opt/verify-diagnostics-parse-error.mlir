// RUN: qd-opt %s --verify-diagnostics
// Parse errors are diagnostics too, matched at the line they point to.

func.func @f() {
  // expected-error@+1 {{Expected integer literal}}
  checkpoint.region slot oops {}
  func.return
}
