package stateful_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/process"
)

// nycReports returns the real NYC 311 requests as hotline events in time
// order: the complaint type and descriptor are the text the pack reads.
func nycReports(t testing.TB) []*cityops.Event {
	t.Helper()
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
	var out []*cityops.Event
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
		out = append(out, &cityops.Event{ID: "nyc-" + rec[col["unique_key"]], Source: cityops.SourceHotline, Type: "311",
			Text: rec[col["complaint_type"]] + ": " + rec[col["descriptor"]], Lat: lat, Lon: lon, Time: at, Received: at})
	}
	slices.SortStableFunc(out, func(a, b *cityops.Event) int { return a.Time.Compare(b.Time) })
	return out
}

func demoPack(t testing.TB) *rules.Pack {
	t.Helper()
	p, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func reportKey(c cityops.Change) string {
	switch c.Kind {
	case cityops.ChangeCreated:
		return "created " + c.Incident.ID
	case cityops.ChangeMerged:
		return fmt.Sprintf("merged %s %d %s", c.Incident.ID, c.Merge.Reports, c.Merge.Signal)
	}
	return string(c.Kind) + " " + c.Incident.ID
}

// expectMerges returns the changes, as reportKey writes them, that a Merger
// fed the pack's classification directly makes of evs in their order, and
// how many reports join an existing incident.
func expectMerges(t testing.TB, pack *rules.Pack, evs []*cityops.Event) (want []string, merged int) {
	t.Helper()
	proc, err := process.New(pack)
	if err != nil {
		t.Fatal(err)
	}
	m := rules.NewMerger(pack.Merge, rules.MergerOptions{})
	for _, ev := range evs {
		c, ok, err := proc.Process(ev)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		if c.Incident.Category == "" {
			want = append(want, "created "+c.Incident.ID)
			continue
		}
		id, joined := m.Add(rules.Candidate{ID: ev.ID, IncidentID: c.Incident.ID, Category: c.Incident.Category, Cell: c.Incident.Cell, Time: ev.Time})
		if !joined {
			want = append(want, "created "+id)
			continue
		}
		inc, _ := m.Incident(id)
		want = append(want, fmt.Sprintf("merged %s %d %s", id, inc.Reports, ev.ID))
		merged++
	}

	if merged < 50 {
		t.Fatalf("only %d reports merge; the check proves little", merged)
	}
	return want, merged
}

// TestStageNYCDuplicatesMerge sends the real NYC 311 requests through the
// running stage (one partition, so the order is the city's) and checks each
// change against a Merger fed the pack's classification directly: reports
// of one category within a k=1 disk of res-9 cells and the pack's window
// become one incident, with the report count and ids on the merge.
func TestStageNYCDuplicatesMerge(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	pack := demoPack(t)
	evs := nycReports(t)
	want, merged := expectMerges(t, pack, evs)
	e := newEnv(ctx, t, 1)
	got := e.collect(ctx, t)
	e.write(ctx, t, evs)
	r := e.start(ctx, t, func() *rules.Pack { return pack })
	waitFor(ctx, t, "every change", func() bool { return len(got.snapshot()) >= len(want) })
	time.Sleep(500 * time.Millisecond)
	r.halt(t)

	var keys []string
	var maxReports int
	for _, c := range got.snapshot() {
		keys = append(keys, reportKey(c))
		if c.Kind == cityops.ChangeMerged {
			maxReports = max(maxReports, c.Merge.Reports)
			if len(c.Merge.ReportIDs) != min(c.Merge.Reports, 100) || c.Merge.Last.Before(c.Merge.First) {
				t.Fatalf("merge of %s: %d report ids for %d reports, first %v last %v", c.Incident.ID, len(c.Merge.ReportIDs), c.Merge.Reports, c.Merge.First, c.Merge.Last)
			}
		}
	}
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		for i := range min(len(keys), len(want)) {
			if keys[i] != want[i] {
				t.Fatalf("%d changes, want %d; first difference at %d: got %q, want %q", len(keys), len(want), i, keys[i], want[i])
			}
		}
		t.Fatalf("%d changes, want %d", len(keys), len(want))
	}
	t.Logf("%d reports: %d changes, %d merged into existing incidents, largest incident %d reports", len(evs), len(want), merged, maxReports)
}

// TestStageNYCMergeAcrossMoves sends the real NYC 311 requests through the
// running stage while its partition moves twice, once when a second replica
// joins and once when the first stops: the merge state moves with the
// partition, so the incidents are those of an uninterrupted run, each
// report joining the same incident with the same count.
func TestStageNYCMergeAcrossMoves(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	pack := demoPack(t)
	evs := nycReports(t)
	want, merged := expectMerges(t, pack, evs)
	s1, s2 := len(evs)/3, 2*len(evs)/3
	upTo := func(n int) int { w, _ := expectMerges(t, pack, evs[:n]); return len(w) }
	n1, n2 := upTo(s1), upTo(s2)

	e := newEnv(ctx, t, 1)
	got := e.collect(ctx, t)
	current := func() *rules.Pack { return pack }
	keys := func() []string {
		var ks []string
		for _, c := range got.snapshot() {
			ks = append(ks, reportKey(c))
		}
		slices.Sort(ks)
		return slices.Compact(ks)
	}
	count := func(n int) func() bool { return func() bool { return len(keys()) >= n } }

	e.write(ctx, t, evs[:s1])
	a := e.start(ctx, t, current)
	waitFor(ctx, t, "the first third's changes", count(n1))

	b := e.start(ctx, t, current) // the group rebalances: the partition closes and reopens
	e.write(ctx, t, evs[s1:s2])
	waitFor(ctx, t, "the second third's changes", count(n2))

	a.halt(t) // b holds the partition from here, restored from a's snapshot if it was a's
	e.write(ctx, t, evs[s2:])
	waitFor(ctx, t, "every change", count(len(want)))
	time.Sleep(time.Second) // anything doubled or different would arrive by now
	b.halt(t)

	ks := keys()
	slices.Sort(want)
	if !slices.Equal(ks, want) {
		for i := range min(len(ks), len(want)) {
			if ks[i] != want[i] {
				t.Fatalf("%d distinct changes, want %d; first difference at %d: got %q, want %q", len(ks), len(want), i, ks[i], want[i])
			}
		}
		t.Fatalf("%d distinct changes, want %d", len(ks), len(want))
	}
	t.Logf("%d reports, %d merged, %d changes; moves at %d and %d", len(evs), merged, len(want), s1, s2)
}
