// Package history answers the planners' questions from the ClickHouse history
// that package store keeps: heatmaps of incidents by H3 cell, trends over
// time, department performance, hotspots of repeated complaints, and the audit
// trail of one incident, and sensor series (a device's readings, or an
// area's of one metric, raw or to a step). Handler serves them under /api/v1/history/ as JSON
// or, with ?format=csv, as CSV.
//
// Every request needs a bearer token that [Access] knows (401 otherwise,
// before anything else is looked at). The audit trail of an incident names
// people and carries free-text reasons: it is served to the center,
// inspectors, and the department that owns the incident now or cooperates on
// it, and anyone else gets the 404 of an incident that does not exist.
//
// Every parameter is parsed and checked before a query is built; values reach
// ClickHouse only as bound arguments, and the only text spliced into the SQL
// is chosen from fixed tables (a column per H3 resolution, a function per
// bucket). A bad parameter is a 400 whose message names it.
//
// Counts are exact under at-least-once delivery: the queries never read the
// hourly counts that a replayed batch would inflate, and read each base table
// month either plainly, when store.Parts shows it settled (one merged part,
// no repeats possible), or with FINAL. The parts are read before and after
// each query; if they changed meanwhile the query runs again, and after three
// tries with FINAL everywhere. With the past months settled (`cityops history
// --settle`, nightly) and the last one not, the planner queries cost the
// server a fraction of the CPU they cost with FINAL everywhere, spread over
// every core instead of one (docs/performance.md has the figures).
//
// Sensor series (readings, series.go) follow the same rule where they read
// raw readings, which they do for steps under a minute, for ranges of up to
// 31 days for a device and 2 days for an area, and always with exact=1. Over
// longer ranges they read the per-minute or per-hour aggregates of migration
// 0009 instead, which a replayed batch inflates like the hourly counts (min
// and max stay right, count and avg may not): the X-Cityops-Series-Source
// header of every answer says which was read (raw, minute or hour).
//
// Department performance: the closure rate comes from the incidents' latest
// state, through the closed column that ClickHouse computes at insert
// (migration 0006). Everything else comes from the dispatcher's
// transitions, so that each round of a reopened incident counts once and a
// closed round's figures never change: transition_figures (0010: rounds
// closed, on time and their time to close; accepts within the response
// time; reopenings of closed rounds; callbacks by result, for the
// response, resolution and satisfaction rates), transition_accepts (time to
// accept, from Transition.Entered) and transition_marks (returns, by the
// department that returned the incident, rework and redos, repeat
// complaints), which views fill as the sink of the dispatcher's
// transitions topic writes. They answer exactly what the
// same figures computed from the base tables answer
// (testdata/departments_exact.sql, held to it by a test).
package history
