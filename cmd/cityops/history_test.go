package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
)

func TestHistoryCommand(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"history", "--print-queries", "--database", "city_b"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	sql := out.String()
	if n := strings.Count(sql, ";\n"); n < 7 {
		t.Fatalf("%d statements ending with ';', want 7 or more:\n%s", n, sql)
	}
	if !strings.Contains(sql, "FROM city_b.incidents FINAL") || strings.Contains(sql, "toDateTime(?)") || strings.Contains(sql, "= ?") {
		t.Fatalf("queries not bound to city_b:\n%s", sql)
	}

	addr := chtest.Start(t)
	s, err := store.Open(ctx, store.Options{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run(ctx, []string{"history", "--retain-months", "24", "--clickhouse", addr}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "kept the last 24 months") {
		t.Fatalf("output %q", out.String())
	}
	out.Reset()
	if code := run(ctx, []string{"history", "--retain-months", "24", "--retain-readings-months", "3", "--clickhouse", addr}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "kept the last 3 months of raw readings") || !strings.Contains(out.String(), "kept the last 24 months") {
		t.Fatalf("output %q", out.String())
	}
	if code := run(ctx, []string{"history", "--retain-months", "3", "--retain-readings-months", "6", "--clickhouse", addr}, &out, &errOut); code != 2 {
		t.Fatalf("raw readings kept longer than the rest: exit %d, want 2", code)
	}
	out.Reset()
	if code := run(ctx, []string{"history", "--settle", "--quiet", "0s", "--clickhouse", addr}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "partitions settled") {
		t.Fatalf("output %q", out.String())
	}
	if code := run(ctx, []string{"history"}, &out, &errOut); code == 0 {
		t.Fatal("history without a flag succeeded")
	}
}
