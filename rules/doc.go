// Package rules decides what each event is. A city pack (a directory of YAML
// and GeoJSON that the city's own staff maintain) holds the category
// catalogue, departments, responsibility matrix, devices and rule files; Load
// reads and checks all of it, with file:line errors, and compiles the rules
// once.
//
// A rule has an id, a priority, structured filters (source, event types) by
// which the engine indexes it, and conditions: keywords and a regular
// expression over the free text, and an expression over the event's fields
// (github.com/expr-lang/expr). Rules come in groups: a first-match group stops
// at its first matching rule, an all-match group applies every rule that
// matches. Every decision lists the ids of the rules that made it.
//
// Expressions use expr-lang/expr rather than google/cel-go. Measured on our
// rule expressions on one core, cel-go v0.33.2 (with an activation reading
// the event directly) evaluates in 83-171 ns against expr's 118-236 ns, but
// compiles 3.4 times slower (47 µs against 14 µs, which a reload pays per
// rule) and brings protobuf, genproto and ANTLR into the build. Since the
// index keeps the rules evaluated per event to the few that could match (200
// rules decide in 0.3 µs), the gain is too small for the weight.
//
// Besides classification the package holds the stateful parts of deciding:
// Alarms (IoT threshold, rate, hysteresis and offline alarms defined in the
// pack), Merger (duplicate reports and alarm fusion by H3 neighbourhood and
// time window) and Reloader (a pack directory swapped in only when valid).
//
// The package knows nothing of Kafka or ClickHouse.
package rules
