package store_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
)

// newStore starts a private ClickHouse, opens a store on it and migrates it.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	addr := chtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Open(ctx, store.Options{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// readRecords returns the lines of an NDJSON file in testdata.
func readRecords(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			lines = append(lines, append([]byte(nil), line...))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// readChanges decodes the changes of an NDJSON file in testdata.
func readChanges(t testing.TB, name string) []cityops.Change {
	t.Helper()
	var cs []cityops.Change
	for _, line := range readRecords(t, name) {
		var c cityops.Change
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cs = append(cs, c)
	}
	return cs
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
