// Package store keeps the platform's history in ClickHouse: every event with
// the incident it raised or joined, the latest state of every incident, the
// sensor readings (every valid one, inserted by the readings path through
// InsertReadings in large column-wise batches), the audit trail
// of incident transitions (InsertTransitions), and hourly counts by H3
// resolution-7 cell, category, department and source, and aggregates of the
// readings (migration 0009: per hour per device, per minute and hour per
// area, at-least-once like the hourly counts; each device's latest reading).
// It owns the schema (numbered migrations, applied by Migrate), the
// idempotent batched sink that the incidents.changes consumer writes through
// (Handler and InsertChanges), retention by whole months (Retain, and
// RetainReadings, which drops raw readings and the areas' minute table
// sooner than the rest), and the reads; the planners' queries
// live in store/history.
//
// It talks to ClickHouse over the native protocol with
// github.com/ClickHouse/clickhouse-go/v2 v2.26.0, and its SQL runs on Debian's
// ClickHouse 18.16 as well as on current servers: whole-second DateTime plus a
// millisecond column instead of DateTime64, monthly partitions instead of TTL,
// and arguments bound on the client.
//
// Delivery from Kafka is at-least-once, so the same change can arrive twice.
// The base tables are ReplacingMergeTree: a row inserted again has the same
// sorting key as the first and merges away. Until a merge has run the repeats
// are still on disk, so reads that count or list must collapse them: events
// with FINAL, incidents with FINAL or argMax(column, version) (the highest
// version wins). The read helpers here do so. The hourly counts are summed by
// a materialized view at insert time, so a replayed batch counts twice there:
// they are for live tiles, and the planner queries, which must be exact, read
// the base tables.
//
// FINAL runs on one thread on 18.16, so Settle merges each quiet month of a
// table into a single part, and Parts tells which months are in that state:
// a month with one merged part holds no repeats (every row of one key falls
// in the same month), and the planner queries read it without FINAL. A
// month written to again, by a replay or by a late change, has several
// parts until the next Settle and is read with FINAL meanwhile. This holds
// whatever the repeats' origin (the sink's retries, the processor's replays,
// an operator's re-import), which de-duplicating by Kafka offsets would not.
//
// transition_marks (migration 0004) copies the returns and rework out of the
// audit trail so that department figures need not scan it; a return counts
// for the department that made it ("dept:ID" in the actor), not the center
// that the dispatcher records as the new owner. transition_accepts (0006)
// does the same for the accepts and the time each one waited, and the
// incidents carry MATERIALIZED closed, closed_on_time and close_s columns
// that ClickHouse computes from each row as it is inserted: a year of
// department figures reads those narrow columns instead of comparing strings
// and times row by row. Both copies hold only what the transition or the
// incident row itself says, so repeats collapse in them as in the base
// tables, and a settled month of them is read without FINAL too.
// transition_figures (0010) copies the steps of each round (accepts, closes,
// reopenings, callbacks) with the on_time flag, round and round start the
// dispatcher writes on them, so that a closed round's figures outlive the
// incident's later rounds; 0010 also marks reopenings by their action.
//
// Migration 0007 makes the history readable with plain SQL: the audit
// trail keeps the dispatcher's action and the actor's note, the DateTime
// columns outside the keys are declared 'UTC' (18.16 cannot alter key
// columns), cell_hex ALIAS columns give H3 cells as the API writes them,
// SyncNames keeps the departments, areas and categories tables as the pack
// names them, and the views incident_steps and incident_times give each
// incident's step times and durations. docs/planners.md is the guide, and
// testdata/planner_examples.sql its examples, run on 18.16 and ch-modern.
//
// When ClickHouse is down the handler fails, the consumer retries it with
// backoff and commits nothing, Kafka keeps the records, and Ready reports the
// failing insert until one succeeds again.
//
// Tests start a private server with store/chtest; deploy/local/clickhouse.sh
// runs one for development.
package store
