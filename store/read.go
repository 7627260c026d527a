package store

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Query runs a read-only statement for the store's subpackages (the planner
// queries of store/history). args fill the statement's '?' on the client,
// quoted by the driver; callers never build SQL from user strings.
func (s *Store) Query(ctx context.Context, query string, args ...any) (driver.Rows, error) {
	rows, err := s.conn.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("querying clickhouse: %w", err)
	}
	return rows, nil
}
