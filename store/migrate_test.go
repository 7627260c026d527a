package store_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cityops/cityops/internal/realdata"
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
// by internal/realdata.
func TestSQLRunsOnCurrentClickHouse(t *testing.T) {
	tool := realdata.Tool(t, "ch-modern")
	file := filepath.Join(t.TempDir(), "modern.sql")
	sql := store.MigrationSQL("") + store.QuerySQL("")
	if err := os.WriteFile(file, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, file).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, file, err, out)
	}
	if !strings.Contains(string(out), " 0 failed") {
		t.Fatalf("ch-modern output does not say 0 failed:\n%s", out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
