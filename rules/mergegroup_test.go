package rules_test

import (
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/rules"
	"github.com/uber/h3-go/v4"
)

func TestMergeGroups(t *testing.T) {
	groups := loadDemo(t).Merge.Groups()
	tests := []struct {
		a, b      [2]string // category, alarm
		sameGroup bool
	}{
		{[2]string{"0111", ""}, [2]string{"", "water_level.high"}, true},
		{[2]string{"", "water_level.rising"}, [2]string{"", "water_level.high"}, true},
		{[2]string{"01002", ""}, [2]string{"01023", ""}, true}, // both fused with manhole.tilt
		{[2]string{"0111", ""}, [2]string{"01002", ""}, false},
		{[2]string{"09006", ""}, [2]string{"09009", ""}, false}, // no fusion: each its own
	}
	for _, tt := range tests {
		ga, gb := rules.Group(groups, tt.a[0], tt.a[1]), rules.Group(groups, tt.b[0], tt.b[1])
		if (ga == gb) != tt.sameGroup {
			t.Errorf("%v -> %q, %v -> %q: same group %v, want %v", tt.a, ga, tt.b, gb, ga == gb, tt.sameGroup)
		}
	}
}

// TestMergerSnapshotRestore checks that a Merger restored from a snapshot
// decides the following signals exactly as the one that took it.
func TestMergerSnapshotRestore(t *testing.T) {
	cfg := loadDemo(t).Merge
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	cell := func(lat, lon float64) cityops.Cell { return cityops.Cell(h3.LatLngToCell(h3.NewLatLng(lat, lon), 9)) }
	var cands []rules.Candidate
	for i := range 60 {
		id := string(rune('a'+i%26)) + string(rune('a'+i/26))
		c := rules.Candidate{ID: id, IncidentID: "INC-" + id, Category: []string{"0111", "06010", "09006"}[i%3],
			Cell: cell(30.60+0.001*float64(i%7), 117.07), Time: t0.Add(time.Duration(i*7) * time.Minute)}
		if i%11 == 0 {
			c.Category, c.Alarm, c.ID, c.IncidentID = "0111", "water_level.high", "ALM-"+id, "ALM-"+id
		}
		cands = append(cands, c)
	}
	a := rules.NewMerger(cfg, rules.MergerOptions{})
	for _, c := range cands[:30] {
		a.Add(c)
	}
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b := rules.NewMerger(cfg, rules.MergerOptions{})
	if err := b.Restore(snap); err != nil {
		t.Fatal(err)
	}
	merged := 0
	for _, c := range cands[30:] {
		ia, ma := a.Add(c)
		ib, mb := b.Add(c)
		if ia != ib || ma != mb {
			t.Fatalf("%s: original %s %v, restored %s %v", c.ID, ia, ma, ib, mb)
		}
		if ma {
			merged++
		}
	}
	if id, ok := b.IncidentOf(cands[0].ID); !ok || id == "" {
		t.Errorf("the restored merger lost signal %s", cands[0].ID)
	}
	if merged == 0 {
		t.Fatal("nothing merged after the restore; the check proves nothing")
	}
}
