package store_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/store"
)

// TestSyncNames: the name tables read, with FINAL, as the last sync's pack,
// and what a later pack drops stays with retired = 1.
func TestSyncNames(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	first := store.Names{
		Departments: []cityops.Department{{ID: "DSNY", Name: "Sanitation"}, {ID: "NYPD", Name: "Police", NameEN: "Police"}},
		Areas: []cityops.Area{
			{ID: "MN", Name: "Manhattan", Level: cityops.LevelDistrict},
			{ID: "MN01", Name: "Manhattan CD 1", Level: cityops.LevelStreet, ParentID: "MN"},
		},
		Categories: []cityops.Category{{Code: "noise", Kind: cityops.KindEvent, Name: "Noise", DeadlineHours: 72, Severity: 2, ServiceCode: "N1"}},
	}
	if err := s.SyncNames(ctx, first, t0); err != nil {
		t.Fatal(err)
	}
	// Synced again unchanged, then with a renamed department, one dropped
	// and one added; the areas dropped whole.
	if err := s.SyncNames(ctx, first, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	second := store.Names{
		Departments: []cityops.Department{{ID: "NYPD", Name: "Police Department"}, {ID: "DOT", Name: "Transportation"}},
		Categories:  first.Categories,
	}
	if err := s.SyncNames(ctx, second, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"SELECT id, name, retired, toString(version) FROM cityops.departments FINAL ORDER BY id": {
			"DOT|Transportation|0|2026-03-01 08:02:00",
			"DSNY|Sanitation|1|2026-03-01 08:02:00",
			"NYPD|Police Department|0|2026-03-01 08:02:00",
		},
		"SELECT id, name, level, parent_id, retired FROM cityops.areas FINAL ORDER BY id": {
			"MN|Manhattan|district||1", "MN01|Manhattan CD 1|street|MN|1",
		},
		"SELECT code, kind, name, deadline_hours, severity, service_code, retired FROM cityops.categories FINAL": {
			"noise|event|Noise|72|2|N1|0",
		},
	}
	for q, w := range want {
		if got := queryStrings(t, s, q); !slices.Equal(got, w) {
			t.Errorf("%s:\ngot  %q\nwant %q", q, got, w)
		}
	}
}

// queryStrings runs q and returns each row as its values joined by '|'.
func queryStrings(t *testing.T, s *store.Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.Query(testContext(t), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	types := rows.ColumnTypes()
	for rows.Next() {
		vals := make([]any, len(types))
		for i, ct := range types {
			vals[i] = newScan(ct.ScanType())
		}
		if err := rows.Scan(vals...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		line := ""
		for i, v := range vals {
			if i > 0 {
				line += "|"
			}
			line += fmt.Sprint(deref(v))
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

func newScan(t reflect.Type) any { return reflect.New(t).Interface() }

// deref returns what p points to, and NULL for a nil pointer inside.
func deref(p any) any {
	v := reflect.ValueOf(p).Elem()
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "NULL"
		}
		v = v.Elem()
	}
	if tm, ok := v.Interface().(time.Time); ok {
		return tm.UTC().Format(time.DateTime)
	}
	return v.Interface()
}
