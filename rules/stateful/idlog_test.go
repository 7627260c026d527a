package stateful

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cityops/cityops"
)

func sumOf(s string) contentKey {
	var k contentKey
	copy(k[:], s)
	return k
}

// TestIDLogVerdicts: a new id is remembered, the same id with the same
// content is a replay, with other content a conflict.
func TestIDLogVerdicts(t *testing.T) {
	l := newIDLog(0, 0)
	t0 := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		id, sum string
		want    int
	}{
		{"a", "x", idNew},
		{"b", "y", idNew},
		{"a", "x", idReplayed},
		{"a", "z", idConflict},
		{"b", "y", idReplayed},
		{"a", "x", idReplayed}, // a conflict does not replace the first content
	}
	for i, s := range steps {
		if got := l.add(s.id, sumOf(s.sum), t0); got != s.want {
			t.Errorf("step %d: add(%s, %s) = %d, want %d", i, s.id, s.sum, got, s.want)
		}
	}
}

// TestIDLogBounds: the log keeps at most max ids and none older than the
// window behind the newest event time, and forgets the oldest first.
func TestIDLogBounds(t *testing.T) {
	t0 := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	l := newIDLog(time.Hour, 1000)
	for i := range 5000 {
		l.add(fmt.Sprint("id-", i), sumOf("s"), t0)
	}
	if l.len() != 1000 {
		t.Fatalf("%d ids held, want 1000", l.len())
	}
	if got := l.add("id-4000", sumOf("other"), t0); got != idConflict {
		t.Errorf("a recent id is forgotten: %d", got)
	}
	if got := l.add("id-0", sumOf("other"), t0); got != idNew {
		t.Errorf("the oldest id is still held: %d", got)
	}

	l = newIDLog(time.Hour, 1000)
	for i := range 120 { // one a minute for two hours
		l.add(fmt.Sprint("m-", i), sumOf("s"), t0.Add(time.Duration(i)*time.Minute))
	}
	if n := l.len(); n < 60 || n > 61 {
		t.Fatalf("%d ids held over two hours of a one-hour window, want about 60", n)
	}
	if got := l.add("m-10", sumOf("other"), t0.Add(2*time.Hour)); got != idNew {
		t.Errorf("an id older than the window is still held: %d", got)
	}
	if got := l.add("m-100", sumOf("other"), t0.Add(2*time.Hour)); got != idConflict {
		t.Errorf("an id within the window is forgotten: %d", got)
	}
	if len(l.fifo)-l.head != l.len() {
		t.Errorf("%d ids queued for %d held", len(l.fifo)-l.head, l.len())
	}
}

// TestIDLogSnapshot: the ids move with the partition's snapshot, and a
// snapshot of an earlier version, without ids, restores an empty log.
func TestIDLogSnapshot(t *testing.T) {
	c, _ := hostileStage(t)
	for i, tc := range readHostile(t) {
		applyOne(t, c, int64(i), tc.record)
	}
	held := c.ids.len()
	if held < 5 {
		t.Fatalf("only %d ids held", held)
	}
	snap, err := c.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	moved, _ := hostileStage(t)
	if err := moved.restore(snap); err != nil {
		t.Fatal(err)
	}
	if moved.ids.len() != held {
		t.Fatalf("restored %d ids, want %d", moved.ids.len(), held)
	}
	resend := []byte(`{"id":"h-1","source":"hotline","type":"垃圾","text":"路边垃圾堆积","lat":30.62,"lon":117.07,"time":"2026-07-01T00:00:00Z","received":"2026-07-01T00:30:00Z"}`)
	other := []byte(`{"id":"h-1","source":"hotline","type":"垃圾","text":"别的事","lat":30.62,"lon":117.07,"time":"2026-07-01T00:00:00Z"}`)
	if _, out := applyOne(t, moved, 100, resend); out.n != 0 {
		t.Errorf("a resend after the move emitted %d records", out.n)
	}
	if _, out := applyOne(t, moved, 101, other); len(out.byTopic[DefaultTopics.DeadLetters]) != 1 {
		t.Errorf("an id used with other content after the move was not dead-lettered")
	}

	var st classifierState
	if err := json.Unmarshal(snap, &st); err != nil {
		t.Fatal(err)
	}
	st.IDs = nil
	old, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := hostileStage(t)
	if err := fresh.restore(old); err != nil || fresh.ids.len() != 0 {
		t.Fatalf("restoring a snapshot without ids: %d ids, %v", fresh.ids.len(), err)
	}
}

// TestContentHash pins the content hash: every field but Received counts,
// and its value for one event, which other implementations of the rule
// must reproduce.
func TestContentHash(t *testing.T) {
	v := 55.5
	ev := cityops.Event{ID: "r-1", Source: cityops.SourceIoT, Type: "noise", Lat: 30.62, Lon: 117.07,
		Time: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Received: time.Date(2026, 7, 1, 0, 0, 1, 0, time.UTC),
		Value: &v, Unit: "dB", DeviceID: "dev-1"}
	h, err := contentHash(ev)
	if err != nil {
		t.Fatal(err)
	}
	const want = "8ee1ea99c6e4e5785c08adcf00abdc7751c8452a0aadcfbe44f25f41300349c6"
	if h != want {
		t.Errorf("contentHash = %s, want %s", h, want)
	}
	later := ev
	later.Received = later.Received.Add(time.Hour)
	if h2, _ := contentHash(later); h2 != h {
		t.Error("Received changes the hash")
	}
	w := 56.0
	changes := map[string]func(*cityops.Event){
		"id": func(e *cityops.Event) { e.ID = "r-2" }, "source": func(e *cityops.Event) { e.Source = cityops.SourceHotline },
		"type": func(e *cityops.Event) { e.Type = "pm25" }, "text": func(e *cityops.Event) { e.Text = "x" },
		"lat": func(e *cityops.Event) { e.Lat = 30.63 }, "lon": func(e *cityops.Event) { e.Lon = 117.08 },
		"time": func(e *cityops.Event) { e.Time = e.Time.Add(time.Second) }, "value": func(e *cityops.Event) { e.Value = &w },
		"no value": func(e *cityops.Event) { e.Value = nil }, "unit": func(e *cityops.Event) { e.Unit = "dBA" },
		"device_id": func(e *cityops.Event) { e.DeviceID = "dev-2" },
	}
	for name, change := range changes {
		e := ev
		change(&e)
		if h2, _ := contentHash(e); h2 == h {
			t.Errorf("changing %s keeps the hash", name)
		}
	}
}
