package load

import (
	"sync/atomic"
	"time"
)

// tally counts a run's events and keeps, per event, when it was released and
// when it was first seen stored and on the websocket (unix nanoseconds, 0
// for not yet).
type tally struct {
	released []atomic.Int64
	accepted []atomic.Bool
	stored   []atomic.Int64 // only probes are looked up one by one
	onWS     []atomic.Int64

	sent, hotline, iot, refused, failed atomic.Int64
	wsMessages, wsRepeats               atomic.Int64
	wsClosed                            atomic.Value // why the live map closed the connection, if it did
	wsBBox                              atomic.Value // [4]float64 watched
	wsShrunk                            atomic.Bool  // the watched extent is smaller than the city's
	wsLast                              atomic.Int64 // when the last message arrived
}

func newTally(n int) *tally {
	return &tally{
		released: make([]atomic.Int64, n),
		accepted: make([]atomic.Bool, n),
		stored:   make([]atomic.Int64, n),
		onWS:     make([]atomic.Int64, n),
	}
}

func (t *tally) accept(n int, hotline bool) {
	t.accepted[n].Store(true)
	if hotline {
		t.hotline.Add(1)
	} else {
		t.iot.Add(1)
	}
}

// seenWS records that event n's incident reached the websocket at now.
func (t *tally) seenWS(n int, now time.Time) {
	if n < 0 || n >= len(t.onWS) {
		return
	}
	if !t.onWS[n].CompareAndSwap(0, now.UnixNano()) {
		t.wsRepeats.Add(1)
	}
}

// seenStored records that probe n was found stored at now.
func (t *tally) seenStored(n int, now time.Time) {
	if n >= 0 && n < len(t.stored) {
		t.stored[n].CompareAndSwap(0, now.UnixNano())
	}
}

// latencies returns, for every accepted event seen in at, the time from its
// release to then.
func (t *tally) latencies(at []atomic.Int64) []time.Duration {
	return t.latenciesOf(at, func(int) bool { return true })
}

// latenciesOf is latencies of the events n for which keep(n).
func (t *tally) latenciesOf(at []atomic.Int64, keep func(n int) bool) []time.Duration {
	var out []time.Duration
	for i := range at {
		seen := at[i].Load()
		if seen == 0 || !t.accepted[i].Load() || !keep(i) {
			continue
		}
		out = append(out, time.Duration(seen-t.released[i].Load()))
	}
	return out
}
