package store

import (
	"context"
	"strings"
)

// Hooks for the tests of package store_test.

var SplitStatements = splitStatements

// MigrateTo applies the migrations up to and including last.
func (s *Store) MigrateTo(ctx context.Context, last uint32) error { return s.migrateTo(ctx, last) }

// Exec runs one statement.
func (s *Store) Exec(ctx context.Context, stmt string) error { return s.conn.Exec(ctx, stmt) }

// CountRows counts the rows of table as stored, repeats not collapsed.
func (s *Store) CountRows(ctx context.Context, table string) (uint64, error) {
	var n uint64
	err := s.conn.QueryRow(ctx, "SELECT count() FROM "+s.db+"."+table).Scan(&n)
	return n, err
}

// QuerySQL returns every statement the store sends after migrating, with
// literal arguments, each ending with ';' at the end of a line. An insert is
// checked as INSERT ... SELECT of the same columns, which proves the column
// list and types.
func QuerySQL(db string) string {
	if db == "" {
		db = DefaultDatabase
	}
	stmts := []string{
		insertQuery(db, "events", eventColumns) + " SELECT " + strings.Join(eventColumns, ", ") + " FROM " + db + ".events WHERE 0",
		insertQuery(db, "incidents", incidentColumns) + " SELECT " + strings.Join(incidentColumns, ", ") + " FROM " + db + ".incidents WHERE 0",
		insertQuery(db, "transitions", transitionColumns) + " SELECT " + strings.Join(transitionColumns, ", ") + " FROM " + db + ".transitions WHERE 0",
		partitionsQuery(db),
		partsQuery(db),
		optimizeStatement(db, "incidents", "202603"),
		dropPartitionStatement(db, "events", 201607),
		countEventsQuery(db),
		eventByIDQuery(db),
		incidentQuery(db),
		countIncidentsQuery(db),
		appliedMigrationsQuery(db),
	}
	var b strings.Builder
	for _, s := range stmts {
		b.WriteString(strings.ReplaceAll(s, "?", "'x'") + ";\n")
	}
	return b.String()
}
