package dispatch

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// MatrixTopic is where changes of the responsibility matrix are recorded, one
// record per change. It has a single partition, so the records keep their
// order.
const MatrixTopic = bus.TopicMatrix

// MatrixChange records one change of the responsibility matrix: when it was
// seen, the pack that brought it, the versions before and after, and the
// entries added, removed and changed. A change applies to incidents created
// after it; open tasks keep the owner they had.
type MatrixChange struct {
	Time          time.Time           `json:"time"`
	Pack          string              `json:"pack"`
	Version       string              `json:"version"`            // of the new matrix: MatrixVersion
	Previous      string              `json:"previous,omitempty"` // empty for the first record
	DefaultBefore string              `json:"default_before,omitempty"`
	DefaultAfter  string              `json:"default_after"`
	Added         []rules.MatrixEntry `json:"added,omitempty"`
	Removed       []rules.MatrixEntry `json:"removed,omitempty"`
	Changed       []EntryChange       `json:"changed,omitempty"`
	Matrix        *rules.Matrix       `json:"matrix,omitempty"` // the whole new matrix, which the next change is diffed against
}

// EntryChange is a matrix entry whose departments changed.
type EntryChange struct {
	Before rules.MatrixEntry `json:"before"`
	After  rules.MatrixEntry `json:"after"`
}

// MatrixVersion is a short hash of a matrix's content, independent of the
// order of its entries and of each entry's cooperating departments.
func MatrixVersion(m rules.Matrix) string {
	lines := make([]string, 0, len(m.Entries)+1)
	lines = append(lines, "default="+m.Default)
	for _, e := range m.Entries {
		coop := slices.Sorted(slices.Values(e.Cooperating))
		lines = append(lines, e.Category+"|"+e.Area+"|"+e.Department+"|"+strings.Join(coop, ","))
	}
	slices.Sort(lines[1:])
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:6])
}

// DiffMatrix returns the change from before to after, stamped with now.
func DiffMatrix(before, after rules.Matrix, pack string, now time.Time) MatrixChange {
	c := MatrixChange{Time: now.UTC(), Pack: pack, Version: MatrixVersion(after), DefaultAfter: after.Default, Matrix: &after}
	if before.Default != "" || len(before.Entries) > 0 {
		c.Previous, c.DefaultBefore = MatrixVersion(before), before.Default
	}
	key := func(e rules.MatrixEntry) [2]string { return [2]string{e.Category, e.Area} }
	old := make(map[[2]string]rules.MatrixEntry, len(before.Entries))
	for _, e := range before.Entries {
		old[key(e)] = e
	}
	for _, e := range after.Entries {
		b, ok := old[key(e)]
		delete(old, key(e))
		switch {
		case !ok:
			c.Added = append(c.Added, e)
		case b.Department != e.Department || !sameSet(b.Cooperating, e.Cooperating):
			c.Changed = append(c.Changed, EntryChange{Before: b, After: e})
		}
	}
	for _, e := range old {
		c.Removed = append(c.Removed, e)
	}
	byKey := func(a, b rules.MatrixEntry) int {
		return cmp.Or(cmp.Compare(a.Category, b.Category), cmp.Compare(a.Area, b.Area))
	}
	slices.SortFunc(c.Added, byKey)
	slices.SortFunc(c.Removed, byKey)
	slices.SortFunc(c.Changed, func(a, b EntryChange) int { return byKey(a.After, b.After) })
	return c
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// MatrixLog keeps the record of matrix changes: it reads the topic back at
// start and appends a change whenever the matrix it is shown differs from
// the last one recorded.
type MatrixLog struct {
	publish bus.Publish
	mu      sync.Mutex
	changes []MatrixChange
}

// NewMatrixLog returns an empty log writing through publish, a writer of
// MatrixTopic.
func NewMatrixLog(publish bus.Publish) *MatrixLog { return &MatrixLog{publish: publish} }

// Load reads every change recorded on topic so far.
func (l *MatrixLog) Load(ctx context.Context, brokers []string, topic string) error {
	conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		return fmt.Errorf("reading %s: dialing %s: %w", topic, brokers[0], err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		return fmt.Errorf("reading %s: reading partitions: %w", topic, err)
	}
	var all []MatrixChange
	for _, p := range parts {
		leader := net.JoinHostPort(p.Leader.Host, strconv.Itoa(p.Leader.Port))
		pc, err := (&kafka.Dialer{}).DialLeader(ctx, "tcp", leader, topic, p.ID)
		if err != nil {
			return fmt.Errorf("reading %s/%d: %w", topic, p.ID, err)
		}
		first, last, err := pc.ReadOffsets()
		pc.Close()
		if err != nil {
			return fmt.Errorf("reading %s/%d: reading offsets: %w", topic, p.ID, err)
		}
		if last <= first {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p.ID, MaxWait: 100 * time.Millisecond})
		if err := r.SetOffset(first); err != nil {
			r.Close()
			return fmt.Errorf("reading %s/%d: %w", topic, p.ID, err)
		}
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				r.Close()
				return fmt.Errorf("reading %s/%d: %w", topic, p.ID, err)
			}
			var c MatrixChange
			if err := json.Unmarshal(m.Value, &c); err == nil {
				all = append(all, c)
			}
			if m.Offset >= last-1 {
				break
			}
		}
		r.Close()
	}
	slices.SortStableFunc(all, func(a, b MatrixChange) int { return a.Time.Compare(b.Time) })
	l.mu.Lock()
	l.changes = all
	l.mu.Unlock()
	return nil
}

// Record compares m with the last matrix recorded and, when they differ (or
// nothing is recorded yet), publishes the change and keeps it. It reports
// whether a change was recorded.
func (l *MatrixLog) Record(ctx context.Context, pack string, m rules.Matrix, now time.Time) (MatrixChange, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var last rules.Matrix
	if n := len(l.changes); n > 0 {
		if l.changes[n-1].Version == MatrixVersion(m) {
			return MatrixChange{}, false, nil
		}
		if p := l.changes[n-1].Matrix; p != nil {
			last = *p
		}
	}
	c := DiffMatrix(last, m, pack, now)
	v, err := json.Marshal(c)
	if err != nil {
		return c, false, fmt.Errorf("encoding the matrix change: %w", err)
	}
	if err := l.publish(ctx, kafka.Message{Key: []byte(c.Version), Value: v}); err != nil {
		return c, false, fmt.Errorf("recording the matrix change to %s: %w", c.Version, err)
	}
	l.changes = append(l.changes, c)
	return c, true, nil
}

// Changes returns the recorded changes, oldest first.
func (l *MatrixLog) Changes() []MatrixChange {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.changes)
}
