package history

import (
	"context"

	"github.com/cityops/cityops/store"
)

// Run runs sql with args on s the way the handler runs a planner query and
// returns the answer as the API would: column names and plain values.
func Run(ctx context.Context, s *store.Store, sql string, args ...any) (columns []string, rows [][]any, err error) {
	t, err := run(ctx, s, query{sql: sql, args: args})
	if err != nil {
		return nil, nil, err
	}
	return t.Columns, t.Rows, nil
}
