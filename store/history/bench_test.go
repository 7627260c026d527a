package history_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
	"github.com/cityops/cityops/store/history"
)

// benchRows is how many events (each raising one incident) the planner
// benchmarks query.
const benchRows = 10_000_000

// generate fills db with {n} events and incidents from number {first} on,
// one every {step} seconds from 2026-01-01 (3 s spreads 10M over the year),
// 12 departments, 20 categories, 30 areas, 50,000 cells,
// and the transitions of each incident as the dispatcher writes them:
// dispatched, accepted, and for a quarter of them resolved and closed, with a
// return for one in 50 (by "dept:DEPn", the center the new owner) and
// rework for one in 40. Accepts and closes carry the dispatcher's on_time
// (one accept in five late, one close in three), closes their round and
// its start. It runs on the server (INSERT ... SELECT), since the
// benchmark is of the queries, not of the sink.
var generate = []string{
	`INSERT INTO {db}.events (id, source, type, text, lat, lon, time, time_ms, received, incident_id, cell, cell7, cell5,
		area_id, district_id, category, department_id)
	SELECT concat('ev-', toString(number)), if(number % 3 = 0, 'iot', 'hotline'), 'complaint', '', 40.7, -74.0,
		toDateTime(1767225600 + number * {step}), (1767225600 + number * {step}) * 1000, toDateTime(1767225600 + number * {step} + 1),
		concat('inc-', toString(number)), 617700169958293503 + (number % 50000) * 32768,
		608692970719281151 + (number % 400) * 262144, 599685771850416127 + (number % 20) * 2097152,
		concat('A', toString(number % 30)), concat('D', toString(number % 5)), concat('cat', toString(number % 20)),
		concat('DEP', toString(number % 12))
	FROM numbers({first}, {n})`,
	`INSERT INTO {db}.incidents (id, event_id, source, type, category, severity, status, cell, cell7, cell5, area_id,
		district_id, department_id, reported, updated, deadline, version)
	SELECT concat('inc-', toString(number)), concat('ev-', toString(number)), if(number % 3 = 0, 'iot', 'hotline'),
		'complaint', concat('cat', toString(number % 20)), 1 + number % 4, if(number % 4 = 0, 'closed', 'accepted'),
		617700169958293503 + (number % 50000) * 32768, 608692970719281151 + (number % 400) * 262144,
		599685771850416127 + (number % 20) * 2097152, concat('A', toString(number % 30)), concat('D', toString(number % 5)),
		concat('DEP', toString(number % 12)), toDateTime(1767225600 + number * {step}),
		toDateTime(1767225600 + number * {step} + 3600 + (number % 7) * 20000), toDateTime(1767225600 + number * {step} + 86400),
		if(number % 4 = 0, 5, 3)
	FROM numbers({first}, {n})`,
	`INSERT INTO {db}.transitions (incident_id, version, from_status, to_status, actor, department_id, reason, time, time_ms, entered,
		on_time, round, started)
	SELECT concat('inc-', toString(number)), v, ['reported', 'dispatched', 'accepted', 'resolved'][v],
		['dispatched', if(number % 50 = 0, 'registered', 'accepted'), 'resolved', if(number % 40 = 0, 'in_progress', 'closed')][v],
		if(v IN (2, 3), concat('dept:DEP', toString(number % 12)), 'center'),
		if(v = 2 AND number % 50 = 0, 'CENTER', concat('DEP', toString(number % 12))), '', toDateTime(1767225600 + number * {step} + v * 600),
		(1767225600 + number * {step} + v * 600) * 1000, toDateTime(1767225600 + number * {step} + (v - 1) * 600),
		toInt8(multiIf(v = 2 AND number % 50 != 0, number % 5 != 0, v = 4 AND number % 40 != 0, number % 3 != 0, -1)),
		toUInt16(v = 4 AND number % 40 != 0), if(v = 4 AND number % 40 != 0, toDateTime(1767225600 + number * {step}), toDateTime(0))
	FROM numbers({first}, {n}) ARRAY JOIN if(number % 4 = 0, [1, 2, 3, 4], [1, 2]) AS v`,
}

// generateHistory runs generate on the server at addr for n numbers from
// first on, one every step seconds.
func generateHistory(tb testing.TB, addr, db string, first, n, step int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	for _, q := range generate {
		q = strings.NewReplacer("{db}", db, "{first}", fmt.Sprint(first), "{n}", fmt.Sprint(n), "{step}", fmt.Sprint(step)).Replace(q)
		if err := conn.Exec(ctx, q); err != nil {
			tb.Fatalf("generating: %v\n%s", err, q)
		}
	}
}

// BenchmarkPlannerQueries measures the planner queries through the HTTP API
// on benchRows generated events, over a month and over the whole year: first
// (final/...) with every month read with FINAL, as before any Settle, then
// (settled/...) with the past months settled and the last one not. Run it
// with: go test -run '^$' -bench Planner -benchtime 3x -v ./store/history/
func BenchmarkPlannerQueries(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	addr := chtest.Start(b)
	s, err := store.Open(ctx, store.Options{Addr: addr})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	generateHistory(b, addr, s.Database(), 0, benchRows, 3)
	b.Logf("generated %d events and incidents in %v", benchRows, time.Since(start).Round(time.Second))
	srv := httptest.NewServer(history.Handler(s, nil, nil, testAccess))
	defer srv.Close()
	month, year := "from=2026-03-01&to=2026-04-01", "from=2026-01-01&to=2027-01-01"
	queries := []struct{ name, path string }{
		{"heatmap/res7/month", "heatmap?res=7&" + month},
		{"heatmap/res9/month/filtered", "heatmap?res=9&category=cat3&source=hotline&status=closed&" + month},
		{"heatmap/res7/year", "heatmap?res=7&" + year},
		{"trends/hour/month", "trends?bucket=hour&by=category&" + month},
		{"trends/day/year/area", "trends?bucket=day&by=area&" + year},
		{"departments/month", "departments?" + month},
		{"departments/year", "departments?" + year},
		{"hotspots/month", "hotspots?min_weeks=3&" + month},
		{"hotspots/year/res7", "hotspots?res=7&min_weeks=3&" + year},
	}
	// Before any Settle every month is read with FINAL.
	runQueries(b, srv, "final", queries)
	// A nightly `cityops history --settle` has merged the past months; the
	// last one is still being written to: a replayed day in it keeps it
	// unsettled, so the queries read it with FINAL.
	start = time.Now()
	settled, err := s.Settle(ctx, 0, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("settled %d partitions in %v", len(settled), time.Since(start).Round(time.Second))
	generateHistory(b, addr, s.Database(), benchRows-28800, 28800, 3)
	runQueries(b, srv, "settled", queries)
}

// runQueries benchmarks each query through the HTTP API.
func runQueries(b *testing.B, srv *httptest.Server, prefix string, queries []struct{ name, path string }) {
	for _, q := range queries {
		b.Run(prefix+"/"+q.name, func(b *testing.B) {
			for range b.N {
				resp, err := httpGet(srv.URL+history.Prefix+q.path, centerToken)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
