package load

import (
	"testing"
	"time"
)

// TestOldestOutstanding: the poller looks from the oldest probe that was
// accepted and is not yet found, and never again at the probes before the
// first one still missing.
func TestOldestOutstanding(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	tl := newTally(12)
	for n := range 10 { // events 10 and 11 are not released yet
		tl.released[n].Store(t0.Add(time.Duration(n) * time.Second).UnixNano())
		tl.accepted[n].Store(n != 4) // 4 was refused
	}
	odd := func(n int) bool { return n%2 == 1 } // odd events are hotline requests
	p := &poller{hotline: odd}
	steps := []struct {
		found    []int // probes found stored before the call
		hotline  bool
		want     int // the probe whose release is returned; -1 for none
		wantFrom int // where the next search starts
	}{
		{nil, false, 0, 0},
		{[]int{0}, false, 2, 2},
		{[]int{2}, false, 6, 4},      // 4 was refused: the search goes on from it
		{[]int{6, 8}, false, -1, 4},  // 10 is not released
		{[]int{1, 3, 5}, true, 7, 7}, // the hotline probes keep a search of their own
		{[]int{7, 9}, true, -1, 11},  // 11 is not released
	}
	for i, s := range steps {
		for _, n := range s.found {
			tl.seenStored(n, t0)
		}
		got, ok := p.oldestOutstanding(tl, 1, s.hotline)
		switch {
		case s.want < 0 && ok:
			t.Errorf("step %d: oldest outstanding at %v, want none", i, got)
		case s.want >= 0 && (!ok || !got.Equal(t0.Add(time.Duration(s.want)*time.Second))):
			t.Errorf("step %d: oldest outstanding at %v (%v), want probe %d's release", i, got, ok, s.want)
		}
		if p.probed[s.hotline] != s.wantFrom {
			t.Errorf("step %d: the next search starts at %d, want %d", i, p.probed[s.hotline], s.wantFrom)
		}
	}
}
