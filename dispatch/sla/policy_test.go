package sla_test

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/dispatch/sla"
	"github.com/cityops/cityops/rules"
)

func demoPolicy(t *testing.T, dir string) (*sla.Policy, *time.Location) {
	t.Helper()
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	p, err := sla.Load(os.DirFS(dir), pack.Location, pack.Categories)
	if err != nil {
		t.Fatal(err)
	}
	return p, pack.Location
}

// TestDeadlines runs testdata/deadlines.txt.
func TestDeadlines(t *testing.T) {
	p, loc := demoPolicy(t, "testdata/city")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	f, err := os.Open("testdata/deadlines.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		c := strings.Fields(text)
		if len(c) == 0 {
			continue
		}
		t.Run(strconv.Itoa(line)+"_"+c[0], func(t *testing.T) {
			var got, want string
			switch c[0] {
			case "add":
				d, _ := time.ParseDuration(c[2])
				got, want = p.Calendar.Add(at(c[1]), d).In(loc).Format("2006-01-02T15:04"), c[3]
			case "between":
				got, want = p.Calendar.Between(at(c[1]), at(c[2])).String(), c[3]
			case "deadline":
				got, want = "-", c[3]
				if d := p.Deadline(c[1], at(c[2])); !d.IsZero() {
					got = d.In(loc).Format("2006-01-02T15:04")
				}
			case "stages":
				var parts []string
				for _, s := range p.Deadlines(c[1], at(c[2])) {
					parts = append(parts, s.Name+"="+s.Due.In(loc).Format("2006-01-02T15:04"))
				}
				got, want = strings.Join(parts, ","), c[3]
			case "resume": // category deadline paused-at now
				got, want = p.Resumed(c[1], at(c[2]), at(c[3]), at(c[4])).In(loc).Format("2006-01-02T15:04"), c[5]
			case "extend":
				h, _ := strconv.ParseFloat(c[3], 64)
				got, want = p.Extend(c[1], at(c[2]), h).In(loc).Format("2006-01-02T15:04"), c[4]
			default:
				t.Fatalf("unknown op %q", c[0])
			}
			if got != want {
				t.Errorf("%s: got %s, want %s", strings.Join(c, " "), got, want)
			}
		})
	}
}

func TestEscalationTimes(t *testing.T) {
	p, loc := demoPolicy(t, "testdata/city")
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, loc)
	deadline := start.Add(10 * time.Hour)
	for level, want := range []time.Time{start.Add(8 * time.Hour), deadline, deadline.Add(4 * time.Hour), deadline.Add(24 * time.Hour)} {
		got, ok := p.NextEscalation(level, start, deadline)
		if !ok || !got.Equal(want) {
			t.Errorf("level %d: got %v %v, want %v", level, got, ok, want)
		}
	}
	if _, ok := p.NextEscalation(4, start, deadline); ok {
		t.Error("escalation past the city center")
	}
	if _, ok := p.NextEscalation(0, start, time.Time{}); ok {
		t.Error("escalation without a deadline")
	}
	if p.MaxReturns != 2 {
		t.Errorf("max returns %d", p.MaxReturns)
	}
	if p.Callback.Window != 360*time.Hour || p.Callback.MaxRedos != 2 {
		t.Errorf("callback %+v", p.Callback)
	}
}

func TestLoadWithoutFileKeepsDefaults(t *testing.T) {
	p, err := sla.Load(os.DirFS(t.TempDir()), time.UTC, []cityops.Category{{Code: "a", DeadlineHours: 4}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 7, 23, 0, 0, 0, time.UTC)
	if got := p.Deadline("a", start); !got.Equal(start.Add(4 * time.Hour)) {
		t.Errorf("deadline %v", got)
	}
}

// TestBadFiles loads each testdata/bad/NAME/dispatch.yaml and expects the
// error to name the field.
func TestBadFiles(t *testing.T) {
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"bad-hours":    "calendar.working_hours",
		"bad-weekend":  "calendar.weekend",
		"bad-holiday":  "calendar.holidays",
		"bad-range":    "calendar.holidays",
		"bad-stage":    "deadlines.0111[0]",
		"bad-category": "deadlines.x",
		"bad-warn":     "escalation.warn_before",
		"bad-after":    "escalation.city_after",
		"bad-field":    "field max_return not found",
		"bad-callback": "callback.window",
		"bad-redos":    "callback.max_redos",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sla.Load(os.DirFS("testdata/bad/"+name), pack.Location, pack.Categories)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("got %v, want an error naming %s", err, want)
			}
			if name != "bad-field" && !errors.Is(err, cityops.ErrInvalid) {
				t.Errorf("%v is not ErrInvalid", err)
			}
		})
	}
}
