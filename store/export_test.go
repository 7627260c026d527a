package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cityops/cityops"
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
		partitionsQuery(db, partitionedTables),
		partitionsQuery(db, rawReadingTables),
		partsQuery(db),
		optimizeStatement(db, "incidents", "202603"),
		dropPartitionStatement(db, "events", 201607),
		countEventsQuery(db),
		eventByIDQuery(db),
		incidentQuery(db),
		countIncidentsQuery(db),
		appliedMigrationsQuery(db),
		stepsQuery(db, 2),
		requestByTokenQuery(db),
	}
	for _, f := range []RequestFilter{{Limit: 50}, {Codes: []string{"a", "b"}, Open: true, Offset: 50, Limit: 50}, {Closed: true, Limit: 1}} {
		q, _ := requestsQuery(db, f)
		stmts = append(stmts, strings.ReplaceAll(q, "toDateTime(?)", "toDateTime(1780000000)"))
	}
	q, _ := requestsByIDQuery(db, []string{"a", "b"})
	stmts = append(stmts, q)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, t := range (Names{Departments: []cityops.Department{{ID: "d"}}}).tables() {
		stmts = append(stmts, insertQuery(db, t.table, t.columns)+" SELECT "+strings.Join(t.columns, ", ")+" FROM "+db+"."+t.table+" WHERE 0")
		stmt, args := retireNamesStatement(db, t, now)
		if len(args) > 1 {
			stmt = strings.Replace(stmt, "has(?", "has(['d']", 1)
		}
		stmts = append(stmts, strings.Replace(stmt, "?", fmt.Sprint(now.Unix()), 1))
	}
	var b strings.Builder
	for _, s := range stmts {
		b.WriteString(strings.ReplaceAll(s, "?", "'x'") + ";\n")
	}
	return b.String()
}
