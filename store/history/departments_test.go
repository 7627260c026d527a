package history_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/cityops/cityops/store/history"
)

// laterChanges make the generated history less regular than generate's:
// a newer version of every third incident, closed (so its department's
// figures change with the latest version, not the first), some of them
// without a deadline; accepts whose entered time is unknown, which the
// time to accept leaves out; callbacks, and reopenings of closed incidents
// for repeat complaints and dissatisfied callbacks. {db}, {first} and {n}
// as in generate, with one event every 500 s.
var laterChanges = []string{
	`INSERT INTO {db}.incidents (id, event_id, source, type, category, severity, status, cell, cell7, cell5, area_id,
		district_id, department_id, reported, updated, deadline, version)
	SELECT concat('inc-', toString(number)), concat('ev-', toString(number)), if(number % 3 = 0, 'iot', 'hotline'),
		'complaint', concat('cat', toString(number % 20)), 1 + number % 4, 'closed',
		617700169958293503 + (number % 50000) * 32768, 608692970719281151 + (number % 400) * 262144,
		599685771850416127 + (number % 20) * 2097152, concat('A', toString(number % 30)), concat('D', toString(number % 5)),
		concat('DEP', toString(number % 11)), toDateTime(1767225600 + number * 500),
		toDateTime(1767225600 + number * 500 + (number % 97) * 1877), if(number % 9 = 1, toDateTime(0), toDateTime(1767225600 + number * 500 + 86400)),
		7
	FROM numbers({first}, {n}) WHERE number % 3 = 1`,
	`INSERT INTO {db}.transitions (incident_id, version, from_status, to_status, actor, department_id, reason, time, time_ms, entered)
	SELECT concat('inc-', toString(number)), 9, 'dispatched', 'accepted', concat('dept:DEP', toString(number % 11)),
		concat('DEP', toString(number % 11)), '', toDateTime(1767225600 + number * 500 + 9000), (1767225600 + number * 500 + 9000) * 1000,
		if(number % 2 = 0, toDateTime(0), toDateTime(1767225600 + number * 500 + 9000 - (number % 13) * 61))
	FROM numbers({first}, {n}) WHERE number % 7 = 3`,
	`INSERT INTO {db}.transitions (incident_id, version, from_status, to_status, actor, department_id, reason, time, time_ms, entered,
		action, result)
	SELECT concat('inc-', toString(number)), 10, 'closed', 'closed', 'center', concat('DEP', toString(number % 12)),
		['satisfied', 'basically_satisfied', 'dissatisfied'][1 + number % 3], toDateTime(1767225600 + number * 500 + 90000),
		(1767225600 + number * 500 + 90000) * 1000, toDateTime(1767225600 + number * 500 + 2400), 'feedback',
		if(number % 2 = 0, ['satisfied', 'basically_satisfied', 'dissatisfied'][1 + number % 3], '')
	FROM numbers({first}, {n}) WHERE number % 4 = 0 AND number % 40 != 0 AND number % 5 != 1`,
	`INSERT INTO {db}.transitions (incident_id, version, from_status, to_status, actor, department_id, reason, time, time_ms, entered,
		action, round)
	SELECT concat('inc-', toString(number)), 11, 'closed', 'dispatched', if(number % 3 = 0, 'system', 'center'),
		concat('DEP', toString(number % 12)), if(number % 3 = 0, 'repeat', 'dissatisfied'), toDateTime(1767225600 + number * 500 + 99000),
		(1767225600 + number * 500 + 99000) * 1000, toDateTime(1767225600 + number * 500 + 2400), 'reopen', 2
	FROM numbers({first}, {n}) WHERE number % 8 = 4`,
}

// departmentCases are the department queries compared: whole months and
// months cut by the range, with and without a department.
var departmentCases = []struct{ from, to, dep string }{
	{"2026-01-01", "2027-01-01", ""},
	{"2026-02-10", "2026-05-20", ""},
	{"2026-02-01", "2026-04-01", "DEP7"},
	{"2026-03-01", "2026-04-01", "DEP10"},
}

// TestDepartmentsAnswerLikeTheBaseTables holds the department query, which
// reads what migrations 0006 and 0010 compute at insert time (the incidents'
// closed, transition_accepts, transition_figures, transition_marks), to the answers
// of the query it replaced, which computes every figure from the base tables
// with FINAL (testdata/departments_exact.sql). The generated history is
// stored twice, later versions and accepts are added twice, and the query
// runs with no month settled, every month settled, and two months stored
// again after settling. Fewer than 8192 values per department keep the
// percentiles exact, so the answers must match to the last digit.
func TestDepartmentsAnswerLikeTheBaseTables(t *testing.T) {
	ctx := testContext(t)
	addr, s := openMigrated(t)
	srv := httptest.NewServer(history.Handler(s, nil, nil, testAccess))
	t.Cleanup(srv.Close)
	exact, err := os.ReadFile("testdata/departments_exact.sql")
	if err != nil {
		t.Fatal(err)
	}
	const step = 500
	for range 2 {
		generateHistory(t, addr, s.Database(), 0, exactRows, step)
		execAll(t, addr, s.Database(), laterChanges, 0, exactRows)
	}

	check := func(what string) {
		t.Helper()
		for _, c := range departmentCases {
			path := "departments?from=" + c.from + "&to=" + c.to
			sql := strings.ReplaceAll(string(exact), "{db}", s.Database())
			args := []any{unix(t, c.from), unix(t, c.to)}
			if c.dep != "" {
				path += "&department=" + c.dep
				sql = strings.ReplaceAll(sql, "{dep}", " AND department_id = ?")
				args = append(args, c.dep)
			} else {
				sql = strings.ReplaceAll(sql, "{dep}", "")
			}
			cols, rows, err := history.Run(ctx, s, sql, slices.Concat(args, args, args, args)...)
			if err != nil {
				t.Fatalf("the exact query: %v", err)
			}
			want, _ := json.Marshal(answer{Columns: cols, Rows: rows})
			code, a := get(t, srv, path)
			if code != 200 {
				t.Fatalf("%s: GET %s: status %d: %s", what, path, code, a.Error)
			}
			if len(a.Rows) == 0 {
				t.Fatalf("%s: GET %s: no rows: the comparison proves nothing", what, path)
			}
			// Both through JSON, so that numbers compare as the API sends them.
			var w answer
			json.Unmarshal(want, &w)
			got, _ := json.Marshal(a)
			want, _ = json.Marshal(w)
			if string(got) != string(want) {
				t.Errorf("%s: GET %s answers\n%s\nthe base tables answer\n%s", what, path, got, want)
			}
		}
	}

	check("unsettled")
	if _, err := s.Settle(ctx, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Parts(ctx, "transition_accepts"); err != nil || len(p.Settled) < 11 || len(p.Unsettled) != 0 {
		t.Fatalf("transition_accepts after Settle: %+v, %v", p, err)
	}
	check("settled")
	generateHistory(t, addr, s.Database(), 10_000, 10_000, step)
	execAll(t, addr, s.Database(), laterChanges, 10_000, 10_000)
	if p, err := s.Parts(ctx, "transition_accepts"); err != nil || !p.Unsettled[202603] {
		t.Fatalf("transition_accepts after the replay: %+v, %v", p, err)
	}
	check("partly settled")
}

// execAll runs statements on the server at addr with {db}, {first} and {n}
// replaced.
func execAll(t *testing.T, addr, db string, statements []string, first, n int) {
	t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := strings.NewReplacer("{db}", db, "{first}", strconv.Itoa(first), "{n}", strconv.Itoa(n))
	for _, q := range statements {
		if err := conn.Exec(testContext(t), r.Replace(q)); err != nil {
			t.Fatalf("running %v\n%s", err, r.Replace(q))
		}
	}
}

func unix(t *testing.T, day string) int64 {
	t.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	return d.Unix()
}
