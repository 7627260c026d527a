package stateful_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/rules"
)

// expectAlarms computes, with rules.Alarms alone, the alarm changes the
// stage must publish for evs: one key per change. at[i] is the number of
// changes after evs[:i], open[i] whether an alarm is open then.
func expectAlarms(t *testing.T, p *rules.Pack, evs []*cityops.Event) (keys []string, at []int, open []bool) {
	t.Helper()
	a := rules.NewAlarms(p.Alarms, p.Location)
	var ticked time.Time
	at, open = make([]int, len(evs)+1), make([]bool, len(evs)+1)
	for i, ev := range evs {
		var cs []rules.AlarmChange
		if !ev.Time.Before(ticked.Add(time.Minute)) {
			ticked = ev.Time
			cs = a.Tick(ev.Time)
		}
		for _, c := range append(cs, a.Observe(ev)...) {
			kind := "open"
			if c.Kind == rules.AlarmCleared {
				kind = "cleared"
			}
			keys = append(keys, fmt.Sprintf("%s %s %d", kind, c.Alarm.ID, c.Alarm.Count))
		}
		at[i+1] = len(keys)
		open[i+1] = len(a.Open()) > 0
	}
	return keys, at, open
}

// alarmKey names the alarm change a published change carries, whichever
// incident the merge stage filed it under: a raise and each update differ by
// the alarm's count.
func alarmKey(c cityops.Change) string {
	kind := "open"
	if c.Kind == cityops.ChangeCleared {
		kind = "cleared"
	}
	return fmt.Sprintf("%s %s %d", kind, c.Merge.Signal, c.Merge.Count)
}

// distinct returns the distinct alarm keys of cs, sorted: the stage
// delivers at least once, so a change may arrive twice after a move.
func distinct(cs []cityops.Change) []string {
	var keys []string
	for _, c := range cs {
		if c.Merge != nil && c.Merge.Alarm != "" {
			keys = append(keys, alarmKey(c))
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// TestStageChicagoBeachAcrossMoves replays a real Chicago beach sensor's
// history through the running stage on the embedded broker, moving its
// partition twice while an alarm is open: once when a second replica joins,
// once when the first stops. The stage must publish exactly the alarms that
// rules.Alarms computes from the series in one go: no second alarm for one
// that was open across a move, no clear lost, counts that carry on.
func TestStageChicagoBeachAcrossMoves(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	pack := beachPack(t)
	evs := beachReadings(t, "Montrose Beach", 41.969094, -87.638003)
	want, at, open := expectAlarms(t, pack, evs)
	ids, cleared := map[string]bool{}, 0
	for _, k := range want {
		ids[k[strings.Index(k, " ")+1:strings.LastIndex(k, " ")]] = true
		if strings.HasPrefix(k, "cleared") {
			cleared++
		}
	}
	created := len(ids)
	if created < 10 || cleared < 10 {
		t.Fatalf("the series raises %d and clears %d alarms; choose a livelier one", created, cleared)
	}
	// Cut the stream where an alarm is open, at about a third and two thirds.
	cut := func(from int) int {
		for i := from; i < len(evs); i++ {
			if open[i] && at[i] > at[from] {
				return i
			}
		}
		t.Fatal("no open alarm after", from)
		return 0
	}
	s1 := cut(len(evs) / 3)
	s2 := cut(2 * len(evs) / 3)

	e := newEnv(ctx, t, 2)
	got := e.collect(ctx, t)
	current := func() *rules.Pack { return pack }
	count := func(n int) func() bool { return func() bool { return len(distinct(got.snapshot())) >= n } }

	e.write(ctx, t, evs[:s1])
	a := e.start(ctx, t, current)
	waitFor(ctx, t, "the first third's alarms", count(at[s1]))

	b := e.start(ctx, t, current) // the group rebalances: partitions close and reopen
	e.write(ctx, t, evs[s1:s2])
	waitFor(ctx, t, "the second third's alarms", count(at[s2]))

	a.halt(t) // b takes over every partition from a's snapshots
	e.write(ctx, t, evs[s2:])
	waitFor(ctx, t, "every alarm", count(len(want)))
	time.Sleep(time.Second) // anything doubled would arrive by now
	b.halt(t)

	keys := distinct(got.snapshot())
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		for i := range min(len(keys), len(want)) {
			if keys[i] != want[i] {
				t.Fatalf("%d changes, want %d; first difference at %d: got %q, want %q", len(keys), len(want), i, keys[i], want[i])
			}
		}
		t.Fatalf("%d changes, want %d", len(keys), len(want))
	}
	t.Logf("%d readings, %d changes: %d alarms raised, %d cleared; cuts at %d and %d with an alarm open", len(evs), len(want), created, cleared, s1, s2)
}
