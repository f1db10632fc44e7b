// RUN: qd-opt %s --split-input-file --verify-diagnostics
// An expectation names its line: its own, @+N / @-N lines away, or the line @above / @below.

func.func @same_line() {
  checkpoint.region slot -1 {} // expected-error {{slot must be >= 0}}
  func.return
}

// -----

func.func @minus() {
  checkpoint.region slot -1 {}
  // expected-error@-1 {{slot must be >= 0}}
  func.return
}

// -----

func.func @above_and_below() {
  // expected-error@below {{slot must be >= 0}}
  checkpoint.region slot -1 {}
  func.return
}

// -----

func.func @above() {
  checkpoint.region slot -1 {}
  // expected-error@above {{got -1}}
  func.return
}

// -----

func.func @two_lines_down() {
  // expected-error@+2 {{got -5}}
  // a comment in between
  checkpoint.region slot -5 {}
  func.return
}
