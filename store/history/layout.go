package history

import (
	"context"
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
// uses to skip the other side's partitions. Without parts in l, everything
// is read with FINAL.
func source(db, table, cols, timeCol, w string, args []any, l layout) (string, []any) {
	p := l[table]
	settled, unsettled := months(p.Settled), months(p.Unsettled)
	if len(settled) == 0 {
		return "(SELECT " + cols + " FROM " + db + "." + table + " FINAL WHERE " + w + ")", args
	}
	part := "toYYYYMM(" + timeCol + ")"
	sql := "(SELECT " + cols + " FROM " + db + "." + table + " WHERE " + w + " AND " + part + " IN (" + settled + ")"
	out := append([]any(nil), args...)
	if len(unsettled) > 0 {
		sql += " UNION ALL SELECT " + cols + " FROM " + db + "." + table + " FINAL WHERE " + w + " AND " + part + " IN (" + unsettled + ")"
		out = append(out, args...)
	}
	return sql + ")", out
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
