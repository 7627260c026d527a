// Package rules decides what each event is. A city pack (a directory of YAML
// and GeoJSON that the city's own staff maintain) holds the category
// catalogue, departments, responsibility matrix, devices and rule files; Load
// reads and checks all of it, with file:line errors, and compiles the rules
// once.
//
// A rule has an id, a priority, structured filters (source, event types) by
// which the engine indexes it, and conditions: keywords and a regular
// expression over the free text, and an expression over the event's fields
// (github.com/expr-lang/expr): those of Input, local hour and weekday among
// them, and in_cell(cell, "87309a2a5ffffff") for "in this H3 cell" at
// resolution 5 to 9. Its outputs are a category, severity, deadline class
// and tags. Rules come in groups: a first-match group stops
// at its first matching rule, an all-match group applies every rule that
// matches. Every decision lists the ids of the rules that made it.
//
// Expressions use expr-lang/expr rather than CEL (cel.dev/cel-go, formerly
// google/cel-go). The benchmarks in rules/celbench (test code only, so the
// binary does not link cel-go) measure both on the same six conditions
// (thresholds, time of day, type and value, text, membership, calendar) over
// 2,000 of our events (NYC 311 requests, Chicago beach readings), after
// checking that both decide every event alike. These machines are shared
// (load average 11-21 while measured), so the figures are CPU time per
// operation (user+sys of the benchmark binary at two iteration counts,
// differenced), not wall time. One evaluation: expr 130-230 ns through
// vm.Run, 80-170 ns on a reused VM, CEL 100-160 ns; expr allocates 1 object
// on a reused VM (2 through vm.Run), CEL 1-2. Compiling one condition: expr
// 14 µs, CEL 58 µs, which a reload pays per rule. expr adds one module to
// the build, cel-go eight (ANTLR, protobuf, genproto, x/exp among them).
// Evaluation costs the same within the spread, and the index keeps the rules
// evaluated per event to the few that could match, so compile time and
// weight decide. Classify reuses pooled VMs.
//
// Besides classification the package holds the stateful parts of deciding:
// Alarms (IoT threshold, rate, hysteresis and offline alarms defined in the
// pack), Merger (duplicate reports and alarm fusion by H3 neighbourhood and
// time window) and Reloader (a pack directory swapped in only when valid).
//
// The package knows nothing of Kafka or ClickHouse.
package rules
