package tasks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/rules/process"
	"github.com/segmentio/kafka-go"
)

// TestRecordsAsEncodingJSON takes incidents of the demo city through the
// change consumer (created, a merge with a hundred report ids, an alarm
// clear, the service's own updates) and a few steps, and checks that every
// transition and change the service writes is byte for byte what
// encoding/json writes of the same value, and reads back as encoding/json
// reads it.
func TestRecordsAsEncodingJSON(t *testing.T) {
	pack, policy := demoCity(t)
	proc, err := process.New(pack)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var written []kafka.Message
	capture := func(_ context.Context, msgs ...kafka.Message) error {
		mu.Lock()
		defer mu.Unlock()
		written = append(written, msgs...)
		return nil
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, pack.Location)
	s := New(Config{
		Machine: &lifecycle.Machine{MaxReturns: policy.MaxReturns, Known: func(string) bool { return true }},
		Policy:  policy, Center: pack.Matrix.Default, Transitions: capture, Changes: capture,
		Now: func() time.Time { return now },
	})
	s.SetReady()

	var batch []kafka.Message
	add := func(c cityops.Change) {
		v, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, kafka.Message{Offset: int64(len(batch)), Value: v})
	}
	var ids []string
	for i := range 100 {
		ids = append(ids, fmt.Sprintf("load-mwtf3c4l-%09d", i*7919))
	}
	texts := []string{"Noise - Commercial: Car/Truck Horn", "Blocked Driveway: No Access", "Illegal Dumping: Removal Request", "\"quoted\" <tag> & é"}
	for i, text := range texts {
		ev := &cityops.Event{ID: fmt.Sprintf("ev-%d", i), Source: cityops.SourceHotline, Type: "311", Text: text,
			Lat: pack.Devices[0].Lat + float64(i)*0.002, Lon: pack.Devices[0].Lon, Time: now, Received: now}
		c, ok, err := proc.Process(ev)
		if err != nil || !ok {
			t.Fatalf("processing %s: %v %v", text, ok, err)
		}
		add(c)
		add(cityops.Change{Kind: cityops.ChangeUpdated, Incident: c.Incident}) // skipped: the service's own
		add(cityops.Change{Kind: cityops.ChangeMerged, Incident: c.Incident, Event: ev,
			Merge: &cityops.Merge{Signal: "ev-x", Seq: 1, Reports: 120, ReportIDs: ids, First: now, Last: now}})
		add(cityops.Change{Kind: cityops.ChangeCleared, Incident: c.Incident,
			Merge: &cityops.Merge{Signal: "al-1", Seq: 2, Reports: 120, ReportIDs: ids, Signals: []string{"al-1"}, First: now, Last: now, Alarm: "water_level", Count: 3, Value: 0.25, Peak: 1.5}})
	}
	// One change per batch, so that every step writes its update (a batch
	// writes only an incident's last one).
	for _, m := range batch {
		if err := s.ChangeHandler()(context.Background(), []kafka.Message{m}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Do(context.Background(), "INC-ev-0", lifecycle.Command{Action: lifecycle.Note, Actor: lifecycle.Actor{Center: true}, Note: "called back"}); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range written {
		var tr cityops.Transition
		var ch cityops.Change
		var v, back any = &tr, &cityops.Transition{}
		readBack := func() error { return bus.DecodeJSON(m.Value, back.(*cityops.Transition)) }
		if bytes.HasPrefix(m.Value, []byte(`{"kind":`)) {
			v, back = &ch, &cityops.Change{}
			readBack = func() error { return bus.DecodeJSON(m.Value, back.(*cityops.Change)) }
		}
		if err := json.Unmarshal(m.Value, v); err != nil {
			t.Fatalf("encoding/json cannot read %s: %v", m.Value, err)
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Value, want) {
			t.Fatalf("wrote\n%s\nencoding/json writes\n%s", m.Value, want)
		}
		if err := readBack(); err != nil || !reflect.DeepEqual(back, v) {
			t.Fatalf("read back %+v (%v), encoding/json reads %+v", back, err, v)
		}
		if v == any(&tr) {
			kinds[tr.Action]++
		} else {
			kinds["change"]++
		}
	}
	// Per incident: adopt, the merge and the clear as signals, each with
	// its update; and the note.
	n := len(texts)
	for k, want := range map[string]int{"adopt": n, ActionSignal: 2 * n, "note": 1, "change": 3*n + 1} {
		if kinds[k] != want {
			t.Errorf("%d %s records, want %d (all: %v)", kinds[k], k, want, kinds)
		}
	}
}

func TestIsOwnUpdate(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{`{"kind":"updated","incident":{"id":"INC-1"}}`, true},
		{`{"kind":"created","incident":{"id":"INC-1"}}`, false},
		{`{"kind":"merged","incident":{"id":"INC-1"}}`, false},
		{`{"kind":"updatedx","incident":{"id":"INC-1"}}`, false},
		{`{"incident":{"id":"INC-1"},"kind":"updated"}`, false}, // decoded, then skipped by its kind
		{``, false},
	}
	for _, tt := range tests {
		if got := isOwnUpdate([]byte(tt.value)); got != tt.want {
			t.Errorf("isOwnUpdate(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}

// TestDecodeChange: the change consumer reads every change as encoding/json
// reads it, but for the event, which it never uses and drops, whichever
// decoder did the work; a change whose event alone is malformed is taken,
// one whose incident is malformed is not.
func TestDecodeChange(t *testing.T) {
	ok := []string{
		`{"kind":"created","incident":{"id":"inc-1","version":1,"department_id":"water","rules":["r"]},"event":{"id":"ev-1","text":"a pipe <burst>","lat":31.2}}`,
		`{"kind":"merged","incident":{"id":"inc-m","version":4,"reports":3},"event":{"id":"ev-m"},"merge":{"signal":"ev-m","seq":3,"reports":3,"report_ids":["ev-a","ev-b","ev-m"]}}`,
		`{"kind":"created","incident":{"id":"inc-d","version":1,"version":2}}`,                         // a name twice
		`{"Kind":"cleared","Incident":{"ID":"inc-c","Version":3},"Merge":{"Signal":"s","Seq":1}}`,      // names in another case
		"{\"kind\":\"created\",\"incident\":{\"id\":\"inc-u\",\"text\":\"bad \xff byte\"}}",            // invalid UTF-8
		`{"kind":"created","incident":{"id":"inc-e","version":1},"event":{"id":"ev-e","time":"noon"}}`, // a bad event, never read
	}
	for i, rec := range ok {
		got, err := decodeChange([]byte(rec))
		if err != nil {
			t.Fatalf("%s: %v", rec, err)
		}
		var want cityops.Change
		if err := json.Unmarshal([]byte(rec), &want); err != nil && i != len(ok)-1 {
			t.Fatalf("encoding/json cannot read %s: %v", rec, err)
		}
		if i == len(ok)-1 {
			want = cityops.Change{Kind: cityops.ChangeCreated, Incident: cityops.Incident{ID: "inc-e", Version: 1}}
		}
		want.Event = nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", rec, got, want)
		}
	}
	for _, rec := range []string{`{"kind":"created","incident":{"id":5}}`, `{"kind":"created","incident":`, `[]`} {
		if c, err := decodeChange([]byte(rec)); err == nil {
			t.Errorf("%s: decoded %+v, want an error", rec, c)
		}
	}
}
