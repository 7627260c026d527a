package history

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cityops/cityops/store"
)

// layout says, for each table a query reads, which months are settled (see
// store.Parts): those are read plainly, on every core, and the others with
// FINAL. The zero layout reads everything with FINAL.
type layout map[string]store.Parts

// readLayout reads the parts of tables.
func readLayout(ctx context.Context, s *store.Store, tables []string) (layout, error) {
	l := layout{}
	for _, t := range tables {
		p, err := s.Parts(ctx, t)
		if err != nil {
			return nil, err
		}
		l[t] = p
	}
	return l, nil
}

// same reports whether l and m settled the same parts of every table.
func (l layout) same(m layout) bool {
	if len(l) != len(m) {
		return false
	}
	for t, p := range l {
		q, ok := m[t]
		if !ok || !p.Same(q) {
			return false
		}
	}
	return true
}

// source returns the FROM clause that reads cols of table where w holds
// (with args), and the arguments with those of the clause appended. The
// months (partitions, toYYYYMM(timeCol)) settled in l are read without
// FINAL, the others with it; each side names its months, which ClickHouse
// uses to skip the other side's partitions. The settled side names them as
// ranges of timeCol (see monthSpans), the FINAL side by number. Without
// parts in l, everything is read with FINAL.
func source(db, table, cols, timeCol, w string, args []any, l layout) (string, []any) {
	p := l[table]
	if len(p.Settled) == 0 {
		return "(SELECT " + cols + " FROM " + db + "." + table + " FINAL WHERE " + w + ")", args
	}
	sql := "(SELECT " + cols + " FROM " + db + "." + table + " WHERE " + w + " AND " + monthSpans(timeCol, p.Settled)
	out := append([]any(nil), args...)
	if unsettled := months(p.Unsettled); len(unsettled) > 0 {
		sql += " UNION ALL SELECT " + cols + " FROM " + db + "." + table + " FINAL WHERE " + w +
			" AND toYYYYMM(" + timeCol + ") IN (" + unsettled + ")"
		out = append(out, args...)
	}
	return sql + ")", out
}

// monthSpans is a condition that holds where timeCol falls in one of the
// months of m: one range per run of consecutive months, from the first
// second of a month to the first of the month after the run, in the
// server's time zone as toYYYYMM is. It selects the same rows as
// toYYYYMM(timeCol) IN (...), and the same partitions, but ClickHouse
// compares a column with two constants on every row several times faster
// than it computes toYYYYMM of every row: a tenth to a fifth of a year-wide
// query's CPU. The dates are program-made from integers, never user input.
func monthSpans[V any](timeCol string, m map[uint32]V) string {
	ms := slices.Sorted(maps.Keys(m))
	var spans []string
	for i := 0; i < len(ms); {
		j := i
		for j+1 < len(ms) && ms[j+1] == nextMonth(ms[j]) {
			j++
		}
		spans = append(spans, timeCol+" >= "+monthStart(ms[i])+" AND "+timeCol+" < "+monthStart(nextMonth(ms[j])))
		i = j + 1
	}
	if len(spans) == 1 {
		return spans[0]
	}
	return "((" + strings.Join(spans, ") OR (") + "))"
}

// nextMonth returns the month (YYYYMM) after m.
func nextMonth(m uint32) uint32 {
	if m%100 >= 12 {
		return (m/100+1)*100 + 1
	}
	return m + 1
}

// monthStart is the SQL for the first second of month m (YYYYMM).
func monthStart(m uint32) string {
	return fmt.Sprintf("toDateTime(toDate('%04d-%02d-01'))", m/100, m%100)
}

// months lists the months of m, sorted, as SQL numbers: program-made
// integers, never user input.
func months[V any](m map[uint32]V) string {
	ms := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(ms))
	for i, v := range ms {
		parts[i] = strconv.FormatUint(uint64(v), 10)
	}
	return strings.Join(parts, ", ")
}
