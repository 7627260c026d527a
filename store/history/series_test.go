package history_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/history"
)

// seedSeries inserts n readings of device d (area a, metric typ) one every
// 10 s from at, valued 0..n-1, straight into readings, as the readings path
// does.
func seedSeries(t *testing.T, s *store.Store, d, a, typ string, at time.Time, n int) {
	t.Helper()
	start := strconv.FormatInt(at.Unix(), 10)
	q := "INSERT INTO " + s.Database() + ".readings (device_id, time, time_ms, id, type, value, unit, lat, lon, cell, area_id, incident_id)" +
		" SELECT '" + d + "', toDateTime(" + start + " + number * 10), (" + start + " + number * 10) * 1000," +
		" concat('" + d + "-" + typ + "-', toString(number)), '" + typ + "', toFloat64(number), '', 40.7, -74.0, 0, '" + a + "', ''" +
		" FROM system.numbers LIMIT " + strconv.Itoa(n)
	rows, err := s.Query(testContext(t), q)
	if err != nil {
		t.Fatalf("seeding readings: %v", err)
	}
	rows.Close()
}

// seriesAnswer is one GET of the readings route: status, headers, answer.
func seriesGet(t *testing.T, srv *httptest.Server, query string) (int, http.Header, answer) {
	t.Helper()
	resp, err := httpGet(srv.URL+history.Prefix+"readings?"+query, centerToken)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("readings?%s: decoding: %v", query, err)
	}
	return resp.StatusCode, resp.Header, a
}

var seriesStart = time.Date(2026, 3, 31, 20, 0, 0, 0, time.UTC)

func newSeriesServer(t *testing.T) (*store.Store, *httptest.Server) {
	s, srv := newServer(t, false)
	seedSeries(t, s, "n-1", "park", "noise", seriesStart, 720)                // 20:00-22:00, 0..719
	seedSeries(t, s, "n-2", "park", "noise", seriesStart.Add(time.Hour), 360) // 21:00-22:00, 0..359
	seedSeries(t, s, "n-1", "park", "battery", seriesStart, 6)                // another metric of n-1
	seedSeries(t, s, "t-1", "river", "noise", seriesStart, 6)                 // another area
	return s, srv
}

func TestReadingSeries(t *testing.T) {
	s, srv := newSeriesServer(t)
	hour20 := map[string]any{"time": "2026-03-31T20:00:00Z", "type": "noise", "min": 0.0, "max": 359.0, "avg": 179.5, "count": 360.0}
	hour21 := map[string]any{"time": "2026-03-31T21:00:00Z", "type": "noise", "min": 360.0, "max": 719.0, "avg": 539.5, "count": 360.0}
	area21 := map[string]any{"time": "2026-03-31T21:00:00Z", "type": "noise", "min": 0.0, "max": 719.0, "avg": 359.5, "count": 720.0}
	tests := []struct {
		query  string
		source string
		step   string
		want   []map[string]any
	}{
		// A day of one device: raw readings, exact, to the step.
		{"device=n-1&type=noise&from=2026-03-31&to=2026-04-01&step=1h", "raw", "3600", []map[string]any{hour20, hour21}},
		// Longer than the raw span: the hourly aggregates, the same figures.
		{"device=n-1&type=noise&from=2026-02-01&to=2026-04-01&step=1h", "hour", "3600", []map[string]any{hour20, hour21}},
		// Devices have no minute table: beyond the raw span, hours.
		{"device=n-1&type=noise&from=2026-02-24&to=2026-04-01&step=30m", "hour", "3600", []map[string]any{hour20, hour21}},
		// Raw readings kept from March only: February from the hourly aggregates.
		{"device=n-1&type=noise&from=2026-02-28T22:00:00Z&to=2026-03-31T22:00:00Z&step=1h", "hour+raw", "3600", []map[string]any{hour20, hour21}},
		// Every metric of the device without type.
		{"device=n-1&from=2026-03-31T20:00:00Z&to=2026-03-31T21:00:00Z&step=1h", "raw", "3600", []map[string]any{
			{"type": "battery", "count": 6.0, "max": 5.0}, {"type": "noise", "count": 360.0}}},
		// Too many points for the step: raised to one that fits (a day of seconds -> 60 s).
		{"device=n-1&type=noise&from=2026-03-31&to=2026-04-01&step=1s", "raw", "60", nil},
		// The server's choice for a day: minutes.
		{"device=n-1&type=noise&from=2026-03-31&to=2026-04-01", "raw", "60", nil},
		// Raw rows, in time order.
		{"device=n-2&step=raw&from=2026-03-31T21:00:00Z&to=2026-03-31T21:00:30Z", "raw", "0", []map[string]any{
			{"time": "2026-03-31T21:00:00Z", "min": 0.0, "count": 1.0}, {"time": "2026-03-31T21:00:10Z", "max": 1.0},
			{"time": "2026-03-31T21:00:20Z", "avg": 2.0}}},
		// An area's metric: both devices together; raw for a day, the minute
		// aggregates for a month, the hourly ones for a year.
		{"area=park&type=noise&from=2026-03-31&to=2026-04-01&step=1h", "raw", "3600", []map[string]any{hour20, area21}},
		{"area=park&type=noise&from=2026-03-01&to=2026-04-01&step=30m", "minute", "1800", []map[string]any{
			{"time": "2026-03-31T20:00:00Z", "count": 180.0, "max": 179.0}, {"time": "2026-03-31T20:30:00Z", "count": 180.0},
			{"time": "2026-03-31T21:00:00Z", "count": 360.0, "min": 0.0, "max": 539.0}, {"time": "2026-03-31T21:30:00Z", "count": 360.0, "max": 719.0}}},
		{"area=park&type=noise&from=2025-04-01&to=2026-04-01&step=1h", "hour", "21600", []map[string]any{
			{"time": "2026-03-31T18:00:00Z", "count": 1080.0, "min": 0.0, "max": 719.0}}},
		{"area=river&type=noise&from=2026-03-31&to=2026-04-01&step=1d", "raw", "86400", []map[string]any{{"count": 6.0}}},
		{"area=park&type=battery&from=2026-03-01&to=2026-04-01&step=1d&exact=1", "", "", nil}, // exact is raw: 2 days at most
		{"area=nowhere&type=noise&step=1h", "raw", "3600", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, h, a := seriesGet(t, srv, tt.query)
			if tt.source == "" {
				if code != http.StatusBadRequest || !strings.HasPrefix(a.Error, "exact:") {
					t.Fatalf("status %d, %q: want 400 on exact", code, a.Error)
				}
				return
			}
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, a.Error)
			}
			if got := h.Get("X-Cityops-Series-Source"); got != tt.source {
				t.Errorf("source %q, want %q", got, tt.source)
			}
			if got := h.Get("X-Cityops-Series-Step"); got != tt.step {
				t.Errorf("step %q, want %q", got, tt.step)
			}
			if want := []string{"time", "type", "min", "max", "avg", "count"}; strings.Join(a.Columns, ",") != strings.Join(want, ",") {
				t.Fatalf("columns %v, want %v", a.Columns, want)
			}
			got := a.records()
			if tt.want == nil {
				if len(got) > 2000 {
					t.Fatalf("%d points, more than the bound", len(got))
				}
				return
			}
			if len(got) < len(tt.want) || len(got) > len(tt.want) && !strings.Contains(tt.query, "step=raw") {
				t.Fatalf("%d rows, want %d:\n%v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				for k, v := range w {
					if got[i][k] != v {
						t.Errorf("row %d %s = %v, want %v", i, k, got[i][k], v)
					}
				}
			}
		})
	}
	// A batch replayed after a crash: raw answers stay exact; the aggregates
	// count it twice (at-least-once, migration 0009) but keep min and max.
	seedSeries(t, s, "n-2", "park", "noise", seriesStart.Add(time.Hour), 360)
	_, _, raw := seriesGet(t, srv, "device=n-2&from=2026-03-31&to=2026-04-01&step=1h")
	_, _, agg := seriesGet(t, srv, "device=n-2&from=2026-02-01&to=2026-04-01&step=1h")
	if len(raw.Rows) != 1 || raw.records()[0]["count"] != 360.0 {
		t.Errorf("raw after a replay: %v, want one hour of 360", raw.Rows)
	}
	if len(agg.Rows) != 1 || agg.records()[0]["count"] != 720.0 || agg.records()[0]["max"] != 359.0 {
		t.Errorf("hourly after a replay: %v, want 720 readings counted, max 359", agg.Rows)
	}
}

func TestReadingSeriesRefuses(t *testing.T) {
	_, srv := newServer(t, false)
	for _, tt := range []struct{ query, param string }{
		{"", "device"},
		{"device=n-1&area=park&type=noise", "area"},
		{"area=park", "type"},
		{"area=park&type=noise&step=raw", "step"},
		{"device=n-1&step=90s", "step"},
		{"device=n-1&step=90m", "step"},
		{"device=n-1&step=8d", "step"},
		{"device=n-1&step=soon", "step"},
		{"device=n-1&step=raw&from=2026-01-01", "step"},
		{"device=n-1&exact=yes", "exact"},
		{"device=n-1;drop", "device"},
		{"device=n-1&res=7", "res"},
		{"device=n-1&from=2026-04-02", "from"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			code, _, a := seriesGet(t, srv, tt.query)
			if code != http.StatusBadRequest || !strings.HasPrefix(a.Error, tt.param+":") {
				t.Fatalf("status %d, %q: want 400 on %s", code, a.Error, tt.param)
			}
		})
	}
	resp, err := httpGet(srv.URL+history.Prefix+"readings?device=n-1", "")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a token: status %d, want 401", resp.StatusCode)
	}
}

// TestReadingSeriesCSVMatchesJSON: the CSV export has the JSON's columns and
// rows, field by field.
func TestReadingSeriesCSVMatchesJSON(t *testing.T) {
	_, srv := newSeriesServer(t)
	for _, q := range []string{
		"device=n-1&from=2026-03-31&to=2026-04-01&step=10m",
		"device=n-1&from=2026-02-01&to=2026-04-01&step=1h",
		"device=n-2&step=raw&from=2026-03-31&to=2026-04-01",
		"area=park&type=noise&from=2026-03-01&to=2026-04-01&step=30m",
		"area=park&type=noise&from=2025-04-01&to=2026-04-01&step=1d",
	} {
		t.Run(q, func(t *testing.T) {
			_, jh, a := seriesGet(t, srv, q)
			resp, err := httpGet(srv.URL+history.Prefix+"readings?"+q+"&format=csv", centerToken)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("status %d, type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			if resp.Header.Get("X-Cityops-Series-Source") != jh.Get("X-Cityops-Series-Source") {
				t.Errorf("csv read %q, json %q", resp.Header.Get("X-Cityops-Series-Source"), jh.Get("X-Cityops-Series-Source"))
			}
			recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Rows) == 0 || len(recs) != len(a.Rows)+1 {
				t.Fatalf("%d csv lines for %d json rows", len(recs), len(a.Rows))
			}
			if strings.Join(recs[0], ",") != strings.Join(a.Columns, ",") {
				t.Fatalf("csv header %v, json columns %v", recs[0], a.Columns)
			}
			for i, row := range a.Rows {
				for j, v := range row {
					want := fmt.Sprint(v)
					if f, ok := v.(float64); ok {
						want = strconv.FormatFloat(f, 'g', -1, 64)
					}
					if recs[i+1][j] != want {
						t.Fatalf("row %d %s: csv %q, json %q", i, a.Columns[j], recs[i+1][j], want)
					}
				}
			}
		})
	}
}

// TestDevicesLatest: every device's latest reading of each metric, for the
// live map's colours.
func TestDevicesLatest(t *testing.T) {
	_, srv := newSeriesServer(t)
	code, a := get(t, srv, "devices?from=2026-03-31T12:00:00Z")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, a.Error)
	}
	want := []map[string]any{
		{"device_id": "n-1", "type": "battery", "time": "2026-03-31T20:00:50Z", "value": 5.0, "area_id": "park"},
		{"device_id": "n-1", "type": "noise", "time": "2026-03-31T21:59:50Z", "value": 719.0},
		{"device_id": "n-2", "type": "noise", "time": "2026-03-31T21:59:50Z", "value": 359.0},
		{"device_id": "t-1", "type": "noise", "value": 5.0, "area_id": "river"},
	}
	got := a.records()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		for k, v := range w {
			if got[i][k] != v {
				t.Errorf("row %d %s = %v, want %v", i, k, got[i][k], v)
			}
		}
	}
	if code, a = get(t, srv, "devices?area=river&from=2026-03-31T12:00:00Z"); code != http.StatusOK || len(a.Rows) != 1 {
		t.Errorf("river: status %d, %v", code, a.Rows)
	}
	if code, a = get(t, srv, "devices?from=2026-03-01"); code != http.StatusBadRequest || !strings.HasPrefix(a.Error, "from:") {
		t.Errorf("a month back: status %d, %q, want 400 on from", code, a.Error)
	}
}
