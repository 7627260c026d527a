package history

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops/store"
)

// samples are the requests whose queries SampleSQL prints.
var samples = []struct{ name, query string }{
	{"heatmap", "res=7&from=2026-03-01&to=2026-04-01&category=noise&source=hotline&department=NYPD&status=closed"},
	{"heatmap", "res=9&from=2026-03-01&to=2026-03-08"},
	{"trends", "bucket=hour&by=category&from=2026-03-01&to=2026-03-08&source=iot"},
	{"trends", "bucket=week&by=area&from=2026-01-01&to=2026-07-01&department=DSNY"},
	{"departments", "from=2026-01-01&to=2026-04-01"},
	{"departments", "from=2026-01-01&to=2026-04-01&by=month&category=noise&department=NYPD"},
	{"departments", "from=2026-01-01&to=2026-04-01&by=category&area=MN01"},
	{"hotspots", "res=9&min_weeks=3&category=noise&from=2026-01-01&to=2026-04-01"},
	{"devices", ""},
	{"devices", "from=2026-03-31T12:00:00Z&area=MN01"},
	{"readings", "device=63rd-street-beach&from=2026-03-14&to=2026-03-15&step=raw"},
	{"readings", "device=63rd-street-beach&from=2026-03-14&to=2026-03-15&step=10m"},
	{"readings", "device=63rd-street-beach&from=2026-01-01&to=2026-04-01&step=1h"},
	{"readings", "device=63rd-street-beach&from=2025-12-20&to=2026-01-15&step=1h"},
	{"readings", "device=63rd-street-beach&from=2026-03-01&to=2026-04-01&step=5m&type=water_temperature"},
	{"readings", "area=MN01&type=noise&from=2026-03-14&to=2026-03-15&step=30s"},
	{"readings", "area=MN01&type=noise&from=2026-03-01&to=2026-03-15&step=15m"},
	{"readings", "area=MN01&type=noise&from=2026-01-01&to=2026-04-01&step=1d"},
}

// sampleLayout has January and February 2026 settled and March not, in
// every table, so that each printed query has both of its sides: the plain
// read of settled months and the FINAL read of the others.
var sampleLayout = func() layout {
	l := layout{}
	for _, t := range []string{"events", "incidents", "readings", "transitions", "transition_marks", "transition_accepts", "transition_figures"} {
		l[t] = store.Parts{
			Settled:   map[uint32]string{202601: "202601_1_9_2", 202602: "202602_10_14_1"},
			Unsettled: map[uint32]bool{202603: true},
		}
	}
	return l
}()

// SampleSQL returns each planner query with sample parameters bound, each
// ending with ';' at the end of a line: `cityops history --print-queries`
// prints it, and the tests run it on 18.16 and on the current engine. The
// queries are those for a history with January and February 2026 settled
// (see store.Settle) and later months not.
func SampleSQL(db string) (string, error) {
	if db == "" {
		db = store.DefaultDatabase
	}
	var b strings.Builder
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range samples {
		v, err := url.ParseQuery(s.query)
		if err != nil {
			return "", fmt.Errorf("parsing sample %s: %w", s.query, err)
		}
		q, err := build(db, s.name, v, now, sampleLayout)
		if err != nil {
			return "", fmt.Errorf("building sample %s?%s: %w", s.name, s.query, err)
		}
		fmt.Fprintf(&b, "-- GET %s%s?%s\n%s;\n\n", Prefix, s.name, s.query, literal(q))
	}
	for _, q := range leadQueries(db, "inc-1") {
		fmt.Fprintf(&b, "-- GET %sincidents/inc-1/transitions, for a department: does it own inc-1?\n%s;\n\n", Prefix, literal(q))
	}
	q := transitionsQuery(db, "inc-1")
	fmt.Fprintf(&b, "-- GET %sincidents/inc-1/transitions\n%s;\n", Prefix, literal(q))
	return b.String(), nil
}

// literal binds q's arguments into its text, for printing.
func literal(q query) string {
	var b strings.Builder
	args := q.args
	for _, r := range q.sql {
		if r == '?' && len(args) > 0 {
			b.WriteString(quote(args[0]))
			args = args[1:]
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func quote(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(x) + "'"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	default:
		panic(fmt.Sprintf("history: no literal for %T", v))
	}
}
