package stateful

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/ingest/privacy"
	"github.com/cityops/cityops/rules"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// hostileCase is a line of testdata/hostile.txt.
type hostileCase struct {
	name    string
	outcome string // pass, drop or dlq
	field   string // of dlq
	secret  string // of pass: personal data that must not be emitted
	record  []byte
}

var repeatRE = regexp.MustCompile(`<(.)\*(\d+)>`)

// readHostile reads the records of testdata/hostile.txt.
func readHostile(t testing.TB) []hostileCase {
	t.Helper()
	b, err := os.ReadFile("testdata/hostile.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []hostileCase
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.SplitN(line, " | ", 3)
		if len(parts) != 3 {
			t.Fatalf("malformed line %q", line)
		}
		c := hostileCase{name: parts[0]}
		outcome := strings.Fields(parts[1])
		c.outcome = outcome[0]
		switch {
		case c.outcome == "dlq" && len(outcome) == 2:
			c.field = outcome[1]
		case c.outcome == "pass" && len(outcome) == 2 && strings.HasPrefix(outcome[1], "secret="):
			c.secret = strings.TrimPrefix(outcome[1], "secret=")
		case (c.outcome == "pass" || c.outcome == "drop") && len(outcome) == 1:
		default:
			t.Fatalf("%s: unknown outcome %q", c.name, parts[1])
		}
		rec := parts[2]
		if strings.Contains(rec, `\x`) {
			u, err := strconv.Unquote(`"` + strings.ReplaceAll(rec, `"`, `\"`) + `"`)
			if err != nil {
				t.Fatalf("%s: decoding %q: %v", c.name, rec, err)
			}
			rec = u
		}
		rec = repeatRE.ReplaceAllStringFunc(rec, func(m string) string {
			g := repeatRE.FindStringSubmatch(m)
			n, _ := strconv.Atoi(g[2])
			return strings.Repeat(g[1], n)
		})
		c.record = []byte(rec)
		out = append(out, c)
	}
	return out
}

// checkNow is the clock of the hostile records.
var checkNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// hostileStage returns a classify partition of the demo city, judging times
// by checkNow, with its metrics.
func hostileStage(t testing.TB) (*classifier, *prometheus.Registry) {
	t.Helper()
	p, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	w, err := newWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	met, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	s := &Stage{cfg: Config{Topics: DefaultTopics, Events: met, Now: func() time.Time { return checkNow }}}
	return s.newClassifier(w).(*classifier), reg
}

// applyOne applies one record of events.raw at offset to c.
func applyOne(t testing.TB, c *classifier, offset int64, value []byte) (kafka.Message, outputs) {
	t.Helper()
	m := kafka.Message{Topic: DefaultTopics.Events, Partition: 0, Offset: offset, Value: value}
	var out outputs
	c.prepare([]kafka.Message{m})
	if err := c.apply(context.Background(), 0, m, &out); err != nil {
		t.Fatalf("applying: %v", err)
	}
	if err := out.encode(); err != nil {
		t.Fatal(err)
	}
	return m, out
}

// TestHostileRecords runs the records of testdata/hostile.txt, in order,
// through one classify partition: each is handled and masked, dropped as a
// resend, or dead-lettered once with a reason naming the field at fault,
// and nothing of a dead-lettered record goes further.
func TestHostileRecords(t *testing.T) {
	c, reg := hostileStage(t)
	cases := readHostile(t)
	var drops, letters int
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, out := applyOne(t, c, int64(i), tc.record)
			dlq := out.byTopic[DefaultTopics.DeadLetters]
			emitted := 0
			for topic, msgs := range out.byTopic {
				if topic != DefaultTopics.DeadLetters {
					emitted += len(msgs)
					for _, m := range msgs {
						if tc.secret != "" && bytes.Contains(m.Value, []byte(tc.secret)) {
							t.Errorf("%s emitted %s", tc.secret, m.Value)
						}
					}
				}
			}
			switch tc.outcome {
			case "dlq":
				letters++
				if len(dlq) != 1 || emitted != 0 {
					t.Fatalf("%d dead letters and %d records emitted, want 1 and 0", len(dlq), emitted)
				}
				var fe *cityops.FieldError
				if err := c.in.errs[0]; err != nil && (!errors.As(err, &fe) || fe.Field != tc.field) {
					t.Errorf("refused with %v, want a field error on %s", err, tc.field)
				}
				reason := header(dlq[0], bus.HeaderReason)
				if !strings.HasPrefix(reason, "invalid event: "+tc.field+": ") {
					t.Errorf("reason %q does not name %s", reason, tc.field)
				}
				if !bytes.Equal(dlq[0].Value, tc.record) {
					t.Errorf("the dead letter holds %q, not the record", dlq[0].Value)
				}
			case "drop":
				drops++
				if len(dlq) != 0 || emitted != 0 {
					t.Fatalf("%d dead letters and %d records emitted for a resend, want none", len(dlq), emitted)
				}
			case "pass":
				if len(dlq) != 0 {
					t.Fatalf("dead-lettered: %s", header(dlq[0], bus.HeaderReason))
				}
				ev := c.in.vals[0]
				masked := ev
				privacy.MaskEvent(&masked)
				if masked != ev {
					t.Errorf("passed unmasked: %+v", ev)
				}
				if tc.secret != "" && strings.Contains(ev.Text+ev.Type+ev.Unit+ev.DeviceID, tc.secret) {
					t.Errorf("passed %s: %+v", tc.secret, ev)
				}
				if ev.ID == "" || ev.Time.IsZero() || ev.Lat == 0 || ev.Lon == 0 {
					t.Errorf("passed without an id, a time or a position: %+v", ev)
				}
			}
		})
	}
	counts := counters(t, reg)
	if got := counts["cityops_process_events_replayed_total"]; got != float64(drops) {
		t.Errorf("replayed counter %v, want %d", got, drops)
	}
	if got := counts["cityops_process_events_refused_total"]; got != float64(letters) {
		t.Errorf("refused counter %v, want %d", got, letters)
	}
	if got := counts[`cityops_process_events_refused_total{field="other"}`]; got != 3 {
		t.Errorf("%v refusals of fields an event does not have, want 3 (caller, a phone number, LAT)", got)
	}
}

// counters returns the counters of reg by name, summed over labels, and by
// name and label.
func counters(t testing.TB, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			v := m.GetCounter().GetValue()
			out[mf.GetName()] += v
			for _, l := range m.GetLabel() {
				out[mf.GetName()+"{"+l.GetName()+"=\""+l.GetValue()+"\"}"] += v
			}
		}
	}
	return out
}

func header(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// TestCheckAnyPlace: a stage that accepts events outside the pack's extent
// still refuses the position (0,0), a writer's zero value.
func TestCheckAnyPlace(t *testing.T) {
	c := newChecker([4]float64{}, func() time.Time { return checkNow })
	for _, tc := range []struct {
		record, field string
	}{
		{`{"id":"a","source":"hotline","type":"t","text":"x","lat":0,"lon":0,"time":"2026-07-01T00:00:00Z"}`, "lat/lon"},
		{`{"id":"b","source":"hotline","type":"t","text":"x","lat":40.71,"lon":-74.0,"time":"2026-07-01T00:00:00Z"}`, ""},
		{`{"id":"c","source":"hotline","type":"t","text":"x","lat":0,"lon":-74.0,"time":"2026-07-01T00:00:00Z"}`, ""},
	} {
		_, err := c.check([]byte(tc.record))
		var fe *cityops.FieldError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.record, err)
		case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
			t.Errorf("%s: got %v, want a field error on %s", tc.record, err, tc.field)
		}
	}
}
