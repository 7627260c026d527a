// Package history answers the planners' questions from the ClickHouse history
// that package store keeps: heatmaps of incidents by H3 cell, trends over
// time, department performance, hotspots of repeated complaints, and the audit
// trail of one incident. Handler serves them under /api/v1/history/ as JSON
// or, with ?format=csv, as CSV.
//
// Every parameter is parsed and checked before a query is built; values reach
// ClickHouse only as bound arguments, and the only text spliced into the SQL
// is chosen from fixed tables (a column per H3 resolution, a function per
// bucket). A bad parameter is a 400 whose message names it.
//
// Counts are exact under at-least-once delivery: the queries read the base
// tables with FINAL (events, incidents) or with functions a repeated row
// cannot change (min, uniqExact over the transition's key), never the
// hourly counts that a replayed batch would inflate. The price is FINAL,
// which 18.16 runs on one thread: a month of a 10M-event year answers in
// 80-300 ms, the whole year in 1.5-2.7 s.
//
// Department performance: closure rate, on-time closure (closed with updated
// <= deadline) and time to close come from the incidents' latest state, and
// are computable now. Returns, rework and time to accept come from the
// transitions table, which dispatch fills through store.InsertTransitions;
// until it does they are 0 and null. Time to accept needs Transition.Entered.
package history
