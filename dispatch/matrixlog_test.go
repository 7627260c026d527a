package dispatch_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/dispatch"
	"github.com/cityops/cityops/rules"
)

func TestDiffMatrix(t *testing.T) {
	base := rules.Matrix{Default: "center", Entries: []rules.MatrixEntry{
		{Category: "trash", Department: "greening", Cooperating: []string{"a", "b"}},
		{Category: "trash", Area: "old-town", Department: "enforcement"},
		{Category: "noise", Department: "police"},
	}}
	edit := func(f func(m *rules.Matrix)) rules.Matrix {
		m := rules.Matrix{Default: base.Default, Entries: slices.Clone(base.Entries)}
		f(&m)
		return m
	}
	for _, tc := range []struct {
		name                    string
		after                   rules.Matrix
		added, removed, changed string
		same                    bool
	}{
		{"nothing", edit(func(m *rules.Matrix) {}), "", "", "", true},
		{"cooperating reordered", edit(func(m *rules.Matrix) { m.Entries[0].Cooperating = []string{"b", "a"} }), "", "", "", true},
		{"entries reordered", edit(func(m *rules.Matrix) { slices.Reverse(m.Entries) }), "", "", "", true},
		{"lead changed", edit(func(m *rules.Matrix) { m.Entries[1].Department = "greening" }), "", "", "trash/old-town enforcement->greening", false},
		{"cooperating changed", edit(func(m *rules.Matrix) { m.Entries[0].Cooperating = []string{"a"} }), "", "", "trash/ greening->greening", false},
		{"added and removed", edit(func(m *rules.Matrix) {
			m.Entries = append(m.Entries[:2], rules.MatrixEntry{Category: "water", Department: "water"})
		}), "water/", "noise/", "", false},
		{"default changed", edit(func(m *rules.Matrix) { m.Default = "hotline" }), "", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dispatch.DiffMatrix(base, tc.after, "demo", time.Unix(0, 0))
			str := func(es []rules.MatrixEntry) string {
				out := ""
				for _, e := range es {
					out += e.Category + "/" + e.Area
				}
				return out
			}
			changed := ""
			for _, e := range c.Changed {
				changed += fmt.Sprintf("%s/%s %s->%s", e.After.Category, e.After.Area, e.Before.Department, e.After.Department)
			}
			if str(c.Added) != tc.added || str(c.Removed) != tc.removed || changed != tc.changed {
				t.Errorf("added %q removed %q changed %q, want %q %q %q", str(c.Added), str(c.Removed), changed, tc.added, tc.removed, tc.changed)
			}
			if same := c.Version == c.Previous; same != tc.same {
				t.Errorf("version %s previous %s: same %v, want %v", c.Version, c.Previous, same, tc.same)
			}
		})
	}
}

// TestMatrixLog records the demo city's matrix, then a change to it, and
// reads both back from the topic as a restarted dispatcher would.
func TestMatrixLog(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	brokers := []string{b.Addr()}
	if err := bus.EnsureTopics(ctx, brokers, 1, dispatch.MatrixTopic); err != nil {
		t.Fatal(err)
	}
	w := bus.NewWriter(brokers, dispatch.MatrixTopic)
	defer w.Close()
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	log := dispatch.NewMatrixLog(w.WriteMessages)
	if err := log.Load(ctx, brokers, dispatch.MatrixTopic); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	first, ok, err := log.Record(ctx, "demo", pack.Matrix, t0)
	if err != nil || !ok || first.Previous != "" || len(first.Added) != len(pack.Matrix.Entries) {
		t.Fatalf("first record: %v %v previous %q, %d added", err, ok, first.Previous, len(first.Added))
	}
	if _, ok, err := log.Record(ctx, "demo", pack.Matrix, t0.Add(time.Hour)); ok || err != nil {
		t.Fatalf("the same matrix recorded again: %v %v", ok, err)
	}
	changed := rules.Matrix{Default: pack.Matrix.Default, Entries: slices.Clone(pack.Matrix.Entries)}
	for i, e := range changed.Entries {
		if e.Category == "06010" && e.Area == "d2" {
			changed.Entries[i].Department = "lhsr"
		}
	}
	second, ok, err := log.Record(ctx, "demo", changed, t0.Add(2*time.Hour))
	if err != nil || !ok || second.Previous != first.Version || len(second.Changed) != 1 || second.Changed[0].Before.Department != "cgzf" {
		t.Fatalf("second record: %v %v %+v", err, ok, second)
	}

	again := dispatch.NewMatrixLog(w.WriteMessages)
	if err := again.Load(ctx, brokers, dispatch.MatrixTopic); err != nil {
		t.Fatal(err)
	}
	got := again.Changes()
	if len(got) != 2 || got[0].Version != first.Version || got[1].Version != second.Version || !got[1].Time.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("read back %+v", got)
	}
	if _, ok, _ := again.Record(ctx, "demo", changed, t0.Add(3*time.Hour)); ok {
		t.Error("a restarted log recorded an unchanged matrix")
	}
}
