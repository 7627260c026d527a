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
var partitionedTables = []string{"events", "incidents", "readings", "transitions", "transition_marks", "transition_accepts", "transition_figures", "event_counts_hourly",
	"open311_requests", "open311_request_ids", "open311_request_tokens",
	"readings_hourly", "readings_area_minute", "readings_area_hourly"}

// rawReadingTables are the sensor tables that RetainReadings trims: the raw
// readings and their per-minute aggregates (migration 0009), the largest
// tables by far. The hourly aggregates stay as long as everything else.
var rawReadingTables = []string{"readings", "readings_area_minute"}

// Retain drops the monthly partitions that lie wholly before the last months
// months (the current month counts as one), in every partitioned table, and
// returns what it dropped as "table/YYYYMM". An incident is kept or dropped
// with the month it was reported in. months must be at least 1.
func (s *Store) Retain(ctx context.Context, months int, now time.Time) ([]string, error) {
	if months < 1 {
		return nil, fmt.Errorf("retaining history: %w", cityops.Invalid("months", "%d: must be at least 1", months))
	}
	return s.retain(ctx, "retaining history", partitionedTables, months, now)
}

// RetainReadings drops the monthly partitions of the raw readings and of
// their per-minute aggregates that lie wholly before the last months months,
// like Retain, and returns what it dropped. It lets a city keep raw readings
// for fewer months than the hourly aggregates and the incidents: run it with
// fewer months than Retain (`cityops history --retain-readings-months`).
func (s *Store) RetainReadings(ctx context.Context, months int, now time.Time) ([]string, error) {
	if months < 1 {
		return nil, fmt.Errorf("retaining readings: %w", cityops.Invalid("months", "%d: must be at least 1", months))
	}
	return s.retain(ctx, "retaining readings", rawReadingTables, months, now)
}

// retain drops the partitions of tables before the last months months.
func (s *Store) retain(ctx context.Context, what string, tables []string, months int, now time.Time) ([]string, error) {
	cut := retainCutoff(now, months)
	rows, err := s.conn.Query(ctx, partitionsQuery(s.db, tables))
	if err != nil {
		return nil, fmt.Errorf("%s: listing partitions: %w", what, err)
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
			return nil, fmt.Errorf("%s: listing partitions: %w", what, err)
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
		return nil, fmt.Errorf("%s: listing partitions: %w", what, err)
	}
	var dropped []string
	for _, p := range old {
		if err := s.conn.Exec(ctx, dropPartitionStatement(s.db, p.table, p.month)); err != nil {
			return dropped, fmt.Errorf("%s: dropping %s/%d: %w", what, p.table, p.month, err)
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
func partitionsQuery(db string, tables []string) string {
	return "SELECT DISTINCT table, partition_id FROM system.parts WHERE database = '" + db +
		"' AND active AND table IN ('" + strings.Join(tables, "', '") + "')"
}

// dropPartitionStatement names the partition by its value, the month's
// number, which both 18.16 and current servers take.
func dropPartitionStatement(db, table string, month uint32) string {
	return fmt.Sprintf("ALTER TABLE %s.%s DROP PARTITION %d", db, table, month)
}
