package store_test

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/store"
)

// seedReadings inserts n readings of device d (type noise, area a) one a
// second from at, values 0..n-1, straight into readings.
func seedReadings(t *testing.T, exec func(string) error, db, d, a string, at time.Time, n int) {
	t.Helper()
	q := "INSERT INTO " + db + ".readings (device_id, time, time_ms, id, type, value, unit, lat, lon, cell, area_id, incident_id)" +
		" SELECT '" + d + "', toDateTime(" + itoa(at.Unix()) + " + number), (" + itoa(at.Unix()) + " + number) * 1000," +
		" concat('" + d + "-', toString(number)), 'noise', toFloat64(number), 'dB', 40.7, -74.0, 0, '" + a + "', ''" +
		" FROM system.numbers LIMIT " + itoa(int64(n))
	if err := exec(q); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestReadingSeriesFollowReadings: the views aggregate what is inserted into
// readings, per hour per device, per minute and hour per area, and keep each
// device's latest reading; a batch
// inserted twice merges away in readings but counts twice in the aggregates
// (at-least-once, as migration 0009 says).
func TestReadingSeriesFollowReadings(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	db := s.Database()
	exec := func(q string) error { return s.Exec(ctx, q) }
	at := time.Date(2026, 3, 14, 22, 0, 0, 0, time.UTC)
	seedReadings(t, exec, db, "n-1", "park", at, 120) // two minutes, values 0..119
	seedReadings(t, exec, db, "n-2", "park", at.Add(time.Hour), 60)
	one := func(q string) float64 {
		t.Helper()
		rows, err := s.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		var v float64
		for rows.Next() {
			if err := rows.Scan(&v); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		return v
	}
	for _, tt := range []struct {
		q    string
		want float64
	}{
		{"SELECT toFloat64(count()) FROM (SELECT minute FROM " + db + ".readings_area_minute WHERE area_id = 'park' GROUP BY minute)", 3},
		{"SELECT maxMerge(high) FROM " + db + ".readings_area_minute WHERE area_id = 'park' AND minute = toDateTime('2026-03-14 22:00:00', 'UTC')", 59},
		{"SELECT argMax(last_value, last_ms) FROM " + db + ".readings_latest WHERE device_id = 'n-1'", 119},
		{"SELECT toFloat64(max(last_time)) - " + strconv.FormatInt(at.Unix(), 10) + " FROM " + db + ".readings_latest WHERE device_id = 'n-2'", 3600 + 59},
		{"SELECT sumMerge(total) / countMerge(n) FROM " + db + ".readings_hourly WHERE device_id = 'n-1'", 59.5},
		{"SELECT toFloat64(countMerge(n)) FROM " + db + ".readings_area_hourly WHERE area_id = 'park' AND type = 'noise'", 180},
		{"SELECT minMerge(low) FROM " + db + ".readings_area_minute WHERE area_id = 'park' AND type = 'noise' AND minute = toDateTime('2026-03-14 23:00:00', 'UTC')", 0},
	} {
		if got := one(tt.q); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.q, got, tt.want)
		}
	}
	// The guide's examples answer from the aggregates.
	b, err := os.ReadFile("testdata/reading_series_examples.sql")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/planners.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, stmt := range store.SplitStatements(strings.ReplaceAll(string(b), "cityops.", db+".")) {
		rows, err := s.Query(ctx, stmt)
		if err != nil {
			t.Fatalf("example %d: %v\n%s", i+1, err, stmt)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n == 0 {
			t.Errorf("example %d answers nothing:\n%s", i+1, stmt)
		}
	}
	for i, stmt := range store.SplitStatements(string(b)) {
		if !strings.Contains(string(doc), stmt+";\n") {
			t.Errorf("docs/planners.md lacks the series example %d as reading_series_examples.sql has it", i+1)
		}
	}
	// Readings that come as events reach readings_latest on 18.16 too.
	if err := s.InsertChanges(ctx, readChanges(t, "changes.ndjson")); err != nil {
		t.Fatal(err)
	}
	if got := one("SELECT toFloat64(count()) FROM (SELECT device_id FROM " + db + ".readings_latest GROUP BY device_id)"); got != 3 {
		t.Errorf("%v devices in readings_latest, want 3 (n-1, n-2 and the beach sensor of the events)", got)
	}
	// A replayed batch: readings collapse it, the aggregates count it again.
	seedReadings(t, exec, db, "n-2", "park", at.Add(time.Hour), 60)
	if got := one("SELECT toFloat64(count()) FROM " + db + ".readings FINAL WHERE device_id = 'n-2'"); got != 60 {
		t.Errorf("readings of n-2 after a replay: %v, want 60", got)
	}
	if got := one("SELECT toFloat64(countMerge(n)) FROM " + db + ".readings_hourly WHERE device_id = 'n-2'"); got != 120 {
		t.Errorf("hourly count of n-2 after a replay: %v, want 120 (at-least-once)", got)
	}
	if got := one("SELECT maxMerge(high) FROM " + db + ".readings_hourly WHERE device_id = 'n-2'"); got != 59 {
		t.Errorf("hourly max of n-2 after a replay: %v, want 59", got)
	}
}

// TestRetainReadingsKeepsHourlyLonger: raw readings and the areas' minute table
// go after their own, shorter, retention; the hourly aggregates stay.
func TestRetainReadingsKeepsHourlyLonger(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	db := s.Database()
	exec := func(q string) error { return s.Exec(ctx, q) }
	seedReadings(t, exec, db, "n-1", "park", time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), 10)
	seedReadings(t, exec, db, "n-1", "park", time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), 10)
	if _, err := s.RetainReadings(ctx, 0, time.Now()); err == nil {
		t.Fatal("RetainReadings accepted 0 months")
	}
	dropped, err := s.RetainReadings(ctx, 2, time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(dropped)
	want := []string{"readings/202601", "readings_area_minute/202601"}
	if !slices.Equal(dropped, want) {
		t.Fatalf("dropped %v, want %v", dropped, want)
	}
	for table, want := range map[string]uint64{"readings": 10, "readings_area_minute": 1, "readings_hourly": 2, "readings_area_hourly": 2} {
		if n, err := s.CountRows(ctx, table); err != nil || n != want {
			t.Errorf("%s: %d rows (%v), want %d", table, n, err, want)
		}
	}
	// Retain trims the hourly aggregates with everything else.
	dropped, err = s.Retain(ctx, 1, time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(dropped, "readings_hourly/202601") || !slices.Contains(dropped, "readings_area_hourly/202601") {
		t.Fatalf("Retain dropped %v, want the hourly aggregates of January among them", dropped)
	}
}
