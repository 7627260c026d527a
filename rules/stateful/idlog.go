package stateful

import (
	"encoding/hex"
	"fmt"
	"time"
)

// The raw events topic is keyed so that one event's records meet in one
// partition (reports by event id, readings by device, and a reading's id is
// derived from its device), so a classify partition can tell a resent event
// from a second event that takes an id already used. It remembers the ids it
// handled with the hash of their content, within bounds: the ids of the
// last IDWindow of event time (the newest event time the partition has seen
// less the window) and at most IDMax of them, the oldest forgotten first.
// An id forgotten is accepted again, as intake accepts it.

// Defaults of the id log's bounds: a week of event time, and up to 100,000
// ids per partition (at most about 10 MB of memory and 7 MB of snapshot
// with ids of 30 bytes).
const (
	DefaultIDWindow = 7 * 24 * time.Hour
	DefaultIDMax    = 100_000
)

// sumBytes is how much of an event's content hash the log keeps: 128 bits,
// for which a collision between two contents of one id is not a concern.
const sumBytes = 16

type contentKey [sumBytes]byte

// The verdicts of idLog.add.
const (
	idNew      = iota // first seen: accepted and remembered
	idReplayed        // seen with the same content: a resend, dropped
	idConflict        // seen with other content: refused
)

// idLog is the ids a classify partition handled, oldest first.
type idLog struct {
	window time.Duration
	max    int
	sums   map[string]contentKey
	fifo   []idAt // ids in the order they were added, from head
	head   int
	latest time.Time // the newest event time added
}

type idAt struct {
	id string
	t  int64 // event time, Unix seconds
}

func newIDLog(window time.Duration, max int) *idLog {
	if window <= 0 {
		window = DefaultIDWindow
	}
	if max <= 0 {
		max = DefaultIDMax
	}
	return &idLog{window: window, max: max, sums: map[string]contentKey{}}
}

// add records that the event id with content sum at time t was handled, and
// says whether it is new, a replay or a conflict; only a new one is
// remembered.
func (l *idLog) add(id string, sum contentKey, t time.Time) int {
	if prev, ok := l.sums[id]; ok {
		if prev == sum {
			return idReplayed
		}
		return idConflict
	}
	l.sums[id] = sum
	l.fifo = append(l.fifo, idAt{id: id, t: t.Unix()})
	if t.After(l.latest) {
		l.latest = t
	}
	l.evict()
	return idNew
}

// evict forgets the oldest ids beyond max, and the ids at the head that are
// older than the window.
func (l *idLog) evict() {
	horizon := l.latest.Add(-l.window).Unix()
	for l.head < len(l.fifo) && (len(l.sums) > l.max || l.fifo[l.head].t < horizon) {
		delete(l.sums, l.fifo[l.head].id)
		l.fifo[l.head] = idAt{}
		l.head++
	}
	if l.head > 1024 && l.head > len(l.fifo)/2 {
		l.fifo = append(l.fifo[:0], l.fifo[l.head:]...)
		l.head = 0
	}
}

// len returns how many ids the log holds.
func (l *idLog) len() int { return len(l.sums) }

// idLogState is an idLog in a snapshot: the ids oldest first, with their
// content hashes (hex) and event times (Unix seconds).
type idLogState struct {
	IDs    []string `json:"ids"`
	Sums   []string `json:"sums"`
	Times  []int64  `json:"times"`
	Latest int64    `json:"latest"`
}

func (l *idLog) state() *idLogState {
	n := len(l.fifo) - l.head
	st := &idLogState{IDs: make([]string, 0, n), Sums: make([]string, 0, n), Times: make([]int64, 0, n), Latest: l.latest.Unix()}
	for _, e := range l.fifo[l.head:] {
		sum := l.sums[e.id]
		st.IDs = append(st.IDs, e.id)
		st.Sums = append(st.Sums, hex.EncodeToString(sum[:]))
		st.Times = append(st.Times, e.t)
	}
	return st
}

// restore replaces the log's ids by those of st, within the log's own
// bounds.
func (l *idLog) restore(st *idLogState) error {
	l.sums, l.fifo, l.head, l.latest = map[string]contentKey{}, nil, 0, time.Time{}
	if st == nil {
		return nil
	}
	if len(st.Sums) != len(st.IDs) || len(st.Times) != len(st.IDs) {
		return fmt.Errorf("decoding the id log: %d ids, %d hashes, %d times", len(st.IDs), len(st.Sums), len(st.Times))
	}
	for i, id := range st.IDs {
		var sum contentKey
		if len(st.Sums[i]) != 2*sumBytes {
			return fmt.Errorf("decoding the id log: the hash of %s: %q", id, st.Sums[i])
		}
		if _, err := hex.Decode(sum[:], []byte(st.Sums[i])); err != nil {
			return fmt.Errorf("decoding the id log: the hash of %s: %q", id, st.Sums[i])
		}
		l.sums[id] = sum
		l.fifo = append(l.fifo, idAt{id: id, t: st.Times[i]})
	}
	l.latest = time.Unix(st.Latest, 0).UTC()
	l.evict()
	return nil
}
