package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// A monthly partition is settled when it holds exactly one active part and
// that part came out of a merge (level > 0). A merge of a ReplacingMergeTree
// keeps one row per sorting key, and every row of one key lands in the same
// month (its time, or an incident's report time, never changes), so a settled
// partition holds no repeats: a plain read of it counts exactly what FINAL
// would, on every core instead of one. Settle brings partitions to that state;
// Settled says which are in it.

// settleTables are the ReplacingMergeTree tables whose partitions Settle
// merges and the planner queries read without FINAL once settled.
var settleTables = []string{"events", "incidents", "readings", "transitions", "transition_marks", "transition_accepts", "transition_figures"}

// Parts describes the active parts of one table's monthly partitions at one
// moment.
type Parts struct {
	// Settled maps a settled month (YYYYMM) to the name of its only part.
	Settled map[uint32]string
	// Unsettled lists the months with repeats possible: several parts, or
	// one part as inserted.
	Unsettled map[uint32]bool
}

// Same reports whether p and q list the same months, settled by the same
// parts. A part's name changes whenever a merge rewrites it, so a partition
// with the same only part before and after a query had no other part at any
// moment between: a plain read of it saw no repeats. A month that appeared
// between p and q was read by neither side of the query.
func (p Parts) Same(q Parts) bool {
	if len(p.Settled) != len(q.Settled) || len(p.Unsettled) != len(q.Unsettled) {
		return false
	}
	for m, name := range p.Settled {
		if q.Settled[m] != name {
			return false
		}
	}
	for m := range p.Unsettled {
		if !q.Unsettled[m] {
			return false
		}
	}
	return true
}

// Parts reads the state of table's monthly partitions. table must be one of
// the tables Settle merges.
func (s *Store) Parts(ctx context.Context, table string) (Parts, error) {
	if !isSettleTable(table) {
		return Parts{}, fmt.Errorf("reading parts: %q is not a table that settles", table)
	}
	rows, err := s.conn.Query(ctx, partsQuery(s.db), table)
	if err != nil {
		return Parts{}, fmt.Errorf("reading parts of %s: %w", table, err)
	}
	defer rows.Close()
	p := Parts{Settled: map[uint32]string{}, Unsettled: map[uint32]bool{}}
	for rows.Next() {
		var (
			id, name string
			parts    uint64
			level    uint32
			newest   time.Time
		)
		if err := rows.Scan(&id, &parts, &level, &name, &newest); err != nil {
			return Parts{}, fmt.Errorf("reading parts of %s: %w", table, err)
		}
		m, err := strconv.ParseUint(id, 10, 32)
		if err != nil {
			continue // not a monthly partition
		}
		if parts == 1 && level > 0 {
			p.Settled[uint32(m)] = name
		} else {
			p.Unsettled[uint32(m)] = true
		}
	}
	if err := rows.Err(); err != nil {
		return Parts{}, fmt.Errorf("reading parts of %s: %w", table, err)
	}
	return p, nil
}

// Settle merges every unsettled monthly partition whose newest part is older
// than quiet (a partition still being written to would unsettle again at
// once) into one part, and returns what it merged as "table/YYYYMM". Each
// merge rewrites one month of one table; run it when the history is quiet,
// e.g. nightly with `cityops history --settle`. A month that receives a
// late change (an old incident closed) unsettles until the next run, and the
// planner queries read it with FINAL meanwhile, so answers stay exact.
func (s *Store) Settle(ctx context.Context, quiet time.Duration, now time.Time) ([]string, error) {
	var done []string
	for _, table := range settleTables {
		rows, err := s.conn.Query(ctx, partsQuery(s.db), table)
		if err != nil {
			return done, fmt.Errorf("settling %s: reading parts: %w", table, err)
		}
		var months []string
		for rows.Next() {
			var (
				id, name string
				parts    uint64
				level    uint32
				newest   time.Time
			)
			if err := rows.Scan(&id, &parts, &level, &name, &newest); err != nil {
				rows.Close()
				return done, fmt.Errorf("settling %s: reading parts: %w", table, err)
			}
			if _, err := strconv.ParseUint(id, 10, 32); err != nil {
				continue
			}
			if (parts > 1 || level == 0) && !newest.After(now.Add(-quiet)) {
				months = append(months, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return done, fmt.Errorf("settling %s: reading parts: %w", table, err)
		}
		for _, m := range months {
			if err := s.conn.Exec(ctx, optimizeStatement(s.db, table, m)); err != nil {
				return done, fmt.Errorf("settling %s/%s: %w", table, m, err)
			}
			done = append(done, table+"/"+m)
		}
	}
	return done, nil
}

func isSettleTable(table string) bool {
	for _, t := range settleTables {
		if t == table {
			return true
		}
	}
	return false
}

// partsQuery lists, per partition of one table (bound as its argument), how
// many parts are active, the highest level, the name of one part (the only
// one when there is one) and when the newest was written.
func partsQuery(db string) string {
	return "SELECT partition_id, count() AS parts, max(level) AS level, any(name) AS name, max(modification_time) AS newest" +
		" FROM system.parts WHERE database = '" + db + "' AND table = ? AND active GROUP BY partition_id"
}

// optimizeStatement merges one month of table into one part. month is a
// partition id read from system.parts, digits only.
func optimizeStatement(db, table, month string) string {
	return "OPTIMIZE TABLE " + db + "." + table + " PARTITION " + month + " FINAL"
}
