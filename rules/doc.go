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
// google/cel-go). The module in rules/celbench measures both on the same six
// conditions (thresholds, time of day, type and value, text, membership,
// calendar) over 2,000 of our events (NYC 311 requests, Chicago beach
// readings), after checking that both decide every event alike. On these
// shared 2-core machines (load average 11-15 while measured) one evaluation
// takes 0.15-1 µs in either language; CEL came out ahead on most conditions
// in some runs, but runs differ from each other by 2-4 times, more than the
// languages differ. expr allocates 1 object per evaluation on a reused VM (2
// through vm.Run), CEL 1-2. expr compiles the six 2-2.7 times faster (a reload pays this per
// rule) and adds one module, where cel-go adds eight (ANTLR, protobuf,
// genproto, x/exp among them). Since the index keeps the rules evaluated per
// event to the few that could match, the cost per rule decides little and
// the weight of the dependency decides. Classify reuses pooled VMs.
//
// Besides classification the package holds the stateful parts of deciding:
// Alarms (IoT threshold, rate, hysteresis and offline alarms defined in the
// pack), Merger (duplicate reports and alarm fusion by H3 neighbourhood and
// time window) and Reloader (a pack directory swapped in only when valid).
//
// The package knows nothing of Kafka or ClickHouse.
package rules
