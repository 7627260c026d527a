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
// Expressions use expr-lang/expr rather than CEL (cel.dev/cel-go): the
// benchmarks in rules/celbench (test code only, so the binary does not link
// cel-go) measure both on the same conditions over real events after
// checking that both decide every event alike; evaluation costs the same,
// and expr compiles faster and adds one module to the build where cel-go
// adds eight (the figures are in docs/performance.md). Classify reuses
// pooled VMs.
//
// Besides classification the package holds the stateful parts of deciding:
// Alarms (IoT threshold, rate, hysteresis and offline alarms defined in the
// pack), Merger (duplicate reports and alarm fusion by H3 neighbourhood and
// time window) and Reloader (a pack directory swapped in only when valid).
//
// The package knows nothing of Kafka or ClickHouse.
package rules
