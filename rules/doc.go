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
// The package knows nothing of Kafka or ClickHouse.
package rules
