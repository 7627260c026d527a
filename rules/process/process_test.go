package process_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/process"
)

func TestMatrixFallbacks(t *testing.T) {
	mx := process.NewAssigner(rules.Matrix{Default: "center", Entries: []rules.MatrixEntry{
		{Category: "trash", Department: "greening"},
		{Category: "trash", Area: "old-town", Department: "enforcement", Cooperating: []string{"greening", "gulou-office"}},
		{Category: "vending", Area: "gulou", Department: "gulou-office"},
	}})
	for _, tc := range []struct {
		category string
		areas    []string
		want     string
		coop     string
	}{
		{"trash", []string{"gulou", "old-town"}, "enforcement", "greening gulou-office"}, // district entry
		{"trash", []string{"kejicheng", "hitech"}, "greening", ""},                       // city-wide entry
		{"vending", []string{"gulou", "old-town"}, "gulou-office", ""},
		{"vending", []string{"fuqian", "old-town"}, "center", ""}, // no entry: the default
		{"trash", []string{"", ""}, "greening", ""},               // outside every area
		{"unknown", nil, "center", ""},
	} {
		if got := mx.Lead(tc.category, tc.areas...); got != tc.want {
			t.Errorf("Lead(%s, %v) = %s, want %s", tc.category, tc.areas, got, tc.want)
		}
		lead, coop := mx.Assign(tc.category, tc.areas...)
		if lead != tc.want || strings.Join(coop, " ") != tc.coop {
			t.Errorf("Assign(%s, %v) = %s %v, want %s [%s]", tc.category, tc.areas, lead, coop, tc.want, tc.coop)
		}
	}
}

func TestProcessDemo(t *testing.T) {
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	p, err := process.New(pack)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
	val := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name     string
		ev       cityops.Event
		incident bool
		category string
		dept     string
		coop     string
		status   cityops.Status
		deadline time.Duration
	}{
		{"flooded road reading", cityops.Event{ID: "a", Source: cityops.SourceIoT, Type: "water_level", Value: val(0.3), Lat: 30.62, Lon: 117.07, Time: at, Received: at},
			true, "0111", "water", "zjw", cityops.StatusDispatched, 6 * time.Hour},
		{"dry road reading", cityops.Event{ID: "b", Source: cityops.SourceIoT, Type: "water_level", Value: val(0.01), Lat: 30.62, Lon: 117.07, Time: at, Received: at},
			false, "", "", "", "", 0},
		{"unclassified complaint", cityops.Event{ID: "c", Source: cityops.SourceHotline, Type: "complaint", Text: "请问几点开门", Lat: 30.62, Lon: 117.07, Time: at, Received: at},
			true, "", "center", "", cityops.StatusReported, 0},
		{"parking complaint", cityops.Event{ID: "d", Source: cityops.SourceHotline, Type: "complaint", Text: "违停车辆堵住消防通道", Lat: 30.62, Lon: 117.07, Time: at, Received: at},
			true, "09009", "jj", "cgzf", cityops.StatusDispatched, 4 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ok, err := p.Process(&tc.ev)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tc.incident {
				t.Fatalf("incident: got %v, want %v", ok, tc.incident)
			}
			if !ok {
				return
			}
			inc := c.Incident
			if inc.ID != process.IncidentID(tc.ev.ID) || inc.Category != tc.category || inc.DepartmentID != tc.dept || inc.Status != tc.status {
				t.Errorf("got %s %q %q %q", inc.ID, inc.Category, inc.DepartmentID, inc.Status)
			}
			if got := strings.Join(inc.Cooperating, " "); got != tc.coop {
				t.Errorf("cooperating %q, want %q", got, tc.coop)
			}
			if inc.AreaID == "" || inc.DistrictID == "" || inc.Cell == 0 || inc.Cell7 == 0 {
				t.Errorf("not placed: area %q district %q cell %v", inc.AreaID, inc.DistrictID, inc.Cell)
			}
			if got := inc.Deadline.Sub(at); tc.deadline > 0 && got != tc.deadline {
				t.Errorf("deadline %v after dispatch, want %v", got, tc.deadline)
			}
			if len(inc.Rules) == 0 && tc.category != "" {
				t.Error("no explanation")
			}
		})
	}
	if _, _, err := p.Process(&cityops.Event{ID: "x", Source: cityops.SourceHotline, Lat: 95, Lon: 0}); err == nil {
		t.Error("an event off the globe was processed")
	}
}
