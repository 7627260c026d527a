// Package celbench measures the two expression languages considered for
// rule conditions, expr-lang/expr and CEL (cel.dev/cel-go), on the same
// expressions over the same events: NYC 311 requests and Chicago beach
// sensor readings from the real test data (deploy/realdata), turned into rules.Input as the
// engine sees them. All of its code is test code, so cel-go is a test-only
// dependency: the cityops binary does not link it. Run it with
// `go test -bench . -cpu 1 ./rules/celbench`. On a shared machine wall time
// per operation swings by several times; the rules package doc gives CPU
// time per operation, measured as user+sys time of the test binary
// (`go test -c`) run with -test.benchtime 100000x and 1100000x, the
// difference divided by a million.
package celbench
