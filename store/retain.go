package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops"
)

// partitionedTables are the tables partitioned by month, which Retain trims.
var partitionedTables = []string{"events", "incidents", "readings", "transitions", "transition_marks", "transition_accepts", "transition_figures", "event_counts_hourly"}

// Retain drops the monthly partitions that lie wholly before the last months
// months (the current month counts as one), in every partitioned table, and
// returns what it dropped as "table/YYYYMM". An incident is kept or dropped
// with the month it was reported in. months must be at least 1.
func (s *Store) Retain(ctx context.Context, months int, now time.Time) ([]string, error) {
	if months < 1 {
		return nil, fmt.Errorf("retaining history: %w", cityops.Invalid("months", "%d: must be at least 1", months))
	}
	cut := retainCutoff(now, months)
	rows, err := s.conn.Query(ctx, partitionsQuery(s.db))
	if err != nil {
		return nil, fmt.Errorf("retaining history: listing partitions: %w", err)
	}
	type part struct {
		table string
		month uint32
	}
	var old []part
	for rows.Next() {
		var table, id string
		if err := rows.Scan(&table, &id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("retaining history: listing partitions: %w", err)
		}
		m, err := strconv.ParseUint(id, 10, 32)
		if err != nil {
			continue // not a monthly partition
		}
		if uint32(m) < cut {
			old = append(old, part{table, uint32(m)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("retaining history: listing partitions: %w", err)
	}
	var dropped []string
	for _, p := range old {
		if err := s.conn.Exec(ctx, dropPartitionStatement(s.db, p.table, p.month)); err != nil {
			return dropped, fmt.Errorf("retaining history: dropping %s/%d: %w", p.table, p.month, err)
		}
		dropped = append(dropped, fmt.Sprintf("%s/%d", p.table, p.month))
	}
	return dropped, nil
}

// retainCutoff is the first month (YYYYMM) kept when the last months months
// up to now's are kept.
func retainCutoff(now time.Time, months int) uint32 {
	first := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -(months - 1), 0)
	return uint32(first.Year()*100 + int(first.Month()))
}

// partitionsQuery lists the active partitions of the partitioned tables. Its
// names are the program's constants and a checked identifier.
func partitionsQuery(db string) string {
	return "SELECT DISTINCT table, partition_id FROM system.parts WHERE database = '" + db +
		"' AND active AND table IN ('" + strings.Join(partitionedTables, "', '") + "')"
}

// dropPartitionStatement names the partition by its value, the month's
// number, which both 18.16 and current servers take.
func dropPartitionStatement(db, table string, month uint32) string {
	return fmt.Sprintf("ALTER TABLE %s.%s DROP PARTITION %d", db, table, month)
}
