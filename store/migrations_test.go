package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cityops/cityops/store"
)

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"one", "SELECT 1;\n", []string{"SELECT 1"}},
		{"no final semicolon", "SELECT 1;\nSELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"comments dropped", "-- a comment; with a semicolon;\nSELECT 1;\n  -- indented\n", []string{"SELECT 1"}},
		{"semicolon inside a line kept", "SELECT 'a;b' AS x;\n", []string{"SELECT 'a;b' AS x"}},
		{"multi-line", "CREATE TABLE t\n(\n    a UInt8\n)\nENGINE = Memory;  \r\n\n", []string{"CREATE TABLE t\n(\n    a UInt8\n)\nENGINE = Memory"}},
		{"empty", "\n;\n-- only\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.SplitStatements(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMigrationSQL(t *testing.T) {
	sql := store.MigrationSQL("city_b")
	stmts := store.SplitStatements(sql)
	if len(stmts) < 5 {
		t.Fatalf("only %d statements:\n%s", len(stmts), sql)
	}
	wantPrefixes := []string{
		"CREATE DATABASE IF NOT EXISTS city_b",
		"CREATE TABLE IF NOT EXISTS city_b.schema_migrations",
		"CREATE TABLE IF NOT EXISTS city_b.events",
		"CREATE TABLE IF NOT EXISTS city_b.incidents",
		"INSERT INTO city_b.schema_migrations",
	}
	for i, p := range wantPrefixes {
		if !strings.HasPrefix(stmts[i], p) {
			t.Errorf("statement %d starts %q, want %q", i+1, firstLine(stmts[i]), p)
		}
	}
	for _, banned := range []string{"{db}", "DateTime64", " TTL ", "Map(", "JSON", "Bool", " OVER ", "h3"} {
		if strings.Contains(sql, banned) {
			t.Errorf("the SQL contains %q, which 18.16 or the current engine does not take", banned)
		}
	}
	if !strings.HasPrefix(store.MigrationSQL(""), "CREATE DATABASE IF NOT EXISTS cityops;\n") {
		t.Errorf("the default database is not cityops")
	}
}

func TestDatabaseNameChecked(t *testing.T) {
	for _, name := range []string{"1abc", "a-b", "a.b", "a b", "a;DROP"} {
		t.Run(name, func(t *testing.T) {
			if _, err := store.Open(context.Background(), store.Options{Addr: "127.0.0.1:1", Database: name}); err == nil {
				t.Error("Open accepted the name")
			}
			defer func() {
				if recover() == nil {
					t.Error("MigrationSQL accepted the name")
				}
			}()
			store.MigrationSQL(name)
		})
	}
}
