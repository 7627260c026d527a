package store_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/cityops/cityops/store"
)

func TestMigrateTwiceIsNoOp(t *testing.T) {
	s := newStore(t) // migrated once
	ctx := testContext(t)
	first, err := s.AppliedMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 || first[0] != 1 {
		t.Fatalf("applied migrations = %v, want 1 first", first)
	}
	for range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("migrating again: %v", err)
		}
	}
	again, err := s.AppliedMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first, again) {
		t.Fatalf("applied migrations went from %v to %v", first, again)
	}
	// No migration was recorded twice: the table has one row per version.
	n, err := s.CountRows(ctx, "schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	if n != uint64(len(first)) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(first))
	}
}

// TestMigrationSQLRunsOn18 runs the printed SQL, as an operator would, on the
// test server (ClickHouse 18.16 here) into another database.
func TestMigrationSQLRunsOn18(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	for _, stmt := range store.SplitStatements(store.MigrationSQL("printed")) {
		if err := s.Exec(ctx, stmt); err != nil {
			t.Fatalf("running printed statement %q: %v", firstLine(stmt), err)
		}
	}
}

// TestSQLRunsOnCurrentClickHouse proves that the schema and the store's
// queries also run on a current ClickHouse engine, through
// the ch-modern test tool (ClickHouse 26 in-process, through chdb), found
// by deploy/realdata.
func TestSQLRunsOnCurrentClickHouse(t *testing.T) {
	runModern(t, chModern(t), "modern.sql", store.MigrationSQL("")+store.QuerySQL(""))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
