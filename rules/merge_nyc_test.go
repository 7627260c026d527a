package rules_test

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/rules"
	"github.com/uber/h3-go/v4"
)

// TestMergerNYC replays the real NYC 311 requests (category = complaint
// type) through a Merger and checks every decision against a brute-force
// reference that scans all earlier incidents and measures H3 grid distance
// instead of looking up the k=1 disk.
func TestMergerNYC(t *testing.T) {
	f := realdata.Open(t, "nyc311/nyc311_dev.csv")
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var cands []rules.Candidate
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lat, err1 := strconv.ParseFloat(rec[col["latitude"]], 64)
		lon, err2 := strconv.ParseFloat(rec[col["longitude"]], 64)
		at, err3 := time.Parse("2006-01-02T15:04:05", rec[col["created_date"]])
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		id := rec[col["unique_key"]]
		cands = append(cands, rules.Candidate{ID: id, IncidentID: "INC-" + id, Category: rec[col["complaint_type"]],
			Cell: cityops.Cell(h3.LatLngToCell(h3.NewLatLng(lat, lon), 9)), Time: at})
	}
	slices.SortStableFunc(cands, func(a, b rules.Candidate) int { return a.Time.Compare(b.Time) })

	const window = 2 * time.Hour
	m := rules.NewMerger(rules.MergeConfig{Window: window}, rules.MergerOptions{})
	type ref struct {
		id          string
		cat         string
		cell        h3.Cell
		first, last time.Time
		reports     int
	}
	var incs []*ref
	merged := 0
	for _, c := range cands {
		var best *ref
		for _, x := range incs {
			if x.cat == c.Category && h3.GridDistance(x.cell, h3.Cell(c.Cell)) <= 1 &&
				!c.Time.Before(x.first.Add(-window)) && !c.Time.After(x.last.Add(window)) &&
				(best == nil || x.last.After(best.last)) {
				best = x
			}
		}
		want := c.IncidentID
		if best != nil {
			want = best.id
			best.reports++
			best.last = c.Time
			merged++
		} else {
			incs = append(incs, &ref{c.IncidentID, c.Category, h3.Cell(c.Cell), c.Time, c.Time, 1})
		}
		got, ok := m.Add(c)
		if got != want || ok != (best != nil) {
			t.Fatalf("report %s: got %s, %v; want %s, %v", c.ID, got, ok, want, best != nil)
		}
	}
	if merged == 0 {
		t.Fatal("no report merged; the check proves nothing")
	}
	for _, x := range incs {
		if x.reports > 1 {
			if inc, ok := m.Incident(x.id); ok && inc.Reports != x.reports {
				t.Errorf("incident %s: %d reports, want %d", x.id, inc.Reports, x.reports)
			}
		}
	}
	t.Logf("%d located reports became %d incidents (%d merged)", len(cands), len(incs), merged)
}
