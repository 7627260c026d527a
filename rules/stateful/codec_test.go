package stateful

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"runtime"
	"testing"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// TestOutputsAsEncodingJSON runs real traffic (NYC 311 reports, Chicago
// beach readings with their alarms) through both stages and checks that
// every record they write is byte for byte what encoding/json writes of
// the same value, and that the merge stage reads it back as encoding/json
// does: the json v2 codec changes no record on either topic.
func TestOutputsAsEncodingJSON(t *testing.T) {
	msgs := benchEvents(t)
	s, w := demoStage(t)
	ctx := context.Background()
	c, g := s.newClassifier(w), s.newMerger(w)
	kinds := map[string]int{}
	check := func(m kafka.Message, v any) {
		t.Helper()
		if err := json.Unmarshal(m.Value, v); err != nil {
			t.Fatalf("encoding/json cannot read %s", m.Value)
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Value, want) {
			t.Fatalf("wrote\n%s\nencoding/json writes\n%s", m.Value, want)
		}
	}
	for i := 0; i < len(msgs); i += 250 {
		batch := msgs[i:min(i+250, len(msgs))]
		if i > 3000 && i%1000 != 0 { // every record early, then a quarter of them: the test stays short
			continue
		}
		out, merged, err := runBatch(ctx, c, g, batch)
		if err != nil {
			t.Fatal(err)
		}
		for _, sm := range out.byTopic[DefaultTopics.Signals] {
			var sg signal
			check(sm, &sg)
			var got signal
			if err := bus.DecodeJSON(sm.Value, &got); err != nil || !reflect.DeepEqual(got, sg) {
				t.Fatalf("read back %+v (%v), encoding/json reads %+v", got, err, sg)
			}
			kinds["signal "+sg.Kind]++
		}
		if dl := append(out.byTopic[DefaultTopics.DeadLetters], merged.byTopic[DefaultTopics.DeadLetters]...); len(dl) > 0 {
			t.Fatalf("dead letter: %s", dl[0].Value)
		}
		// incidents.found holds every change the stages make (new incidents
		// are on incidents.changes as well).
		for _, cm := range append(out.byTopic[DefaultTopics.Found], merged.byTopic[DefaultTopics.Found]...) {
			var ch cityops.Change
			check(cm, &ch)
			kinds["change "+string(ch.Kind)]++
		}
	}
	for _, k := range []string{"signal report", "signal alarm", "change created", "change merged", "change cleared"} {
		if kinds[k] == 0 {
			t.Errorf("no %s among %v: the traffic does not cover it", k, kinds)
		}
	}
}

// TestDecodeLikeEncodingJSON checks that decode takes what encoding/json
// takes, and refuses what it refuses, with encoding/json's error.
func TestDecodeLikeEncodingJSON(t *testing.T) {
	tests := []struct {
		name, value string
	}{
		{"an event", `{"id":"e1","source":"iot","type":"water_level","lat":31.2,"lon":121.4,"time":"2026-11-23T10:00:00Z","received":"2026-11-23T10:00:01Z","value":0.4,"device_id":"wl-1"}`},
		{"names in other cases", `{"ID":"e1","Source":"hotline","TYPE":"311","Lat":31.2,"lon":121.4}`},
		{"a name twice", `{"id":"e1","id":"e2"}`},
		{"invalid UTF-8", "{\"id\":\"e1\",\"text\":\"\xff\xfe\"}"},
		{"unknown names", `{"id":"e1","extra":{"a":[1,2,null]}}`},
		{"null value", `{"id":"e1","value":null}`},
		{"a string for a number", `{"id":"e1","lat":"31.2"}`},
		{"a bad time", `{"id":"e1","time":"yesterday"}`},
		{"not JSON", `{"id":`},
		{"not an object", `[1,2]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want cityops.Event
			wantErr := json.Unmarshal([]byte(tt.value), &want)
			var got cityops.Event
			err := bus.DecodeJSON([]byte(tt.value), &got)
			if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
				t.Fatalf("error %v, encoding/json says %v", err, wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

// TestParallelLikeSerial: decoding batches and encoding changes on several
// cores writes the same records, in the same order, as on one.
func TestParallelLikeSerial(t *testing.T) {
	msgs := benchEvents(t)[:20000]
	p, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	run := func(procs int) (records [][]byte) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		w, err := newWorld(p)
		if err != nil {
			t.Fatal(err)
		}
		s := &Stage{cfg: Config{Topics: DefaultTopics, AnyPlace: true}}
		c, g := s.newClassifier(w), s.newMerger(w)
		for i := 0; i < len(msgs); i += 1000 {
			out, merged, err := runBatch(context.Background(), c, g, msgs[i:min(i+1000, len(msgs))])
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range []outputs{out, merged} {
				for _, topic := range []string{DefaultTopics.Signals, DefaultTopics.Changes, DefaultTopics.Found, DefaultTopics.DeadLetters} {
					for _, m := range o.byTopic[topic] {
						records = append(records, append([]byte(topic+" "+string(m.Key)+" "), m.Value...))
					}
				}
			}
		}
		return records
	}
	serial, par := run(1), run(4)
	if len(serial) < 20000 {
		t.Fatalf("only %d records", len(serial))
	}
	if !reflect.DeepEqual(serial, par) {
		t.Errorf("%d records on one core, %d on four, or they differ", len(serial), len(par))
	}
}
