package stateful_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules"
)

// TestStageResendAfterMove: the ids a classify partition handled move with
// its snapshot. A report is handled by one replica, which stops (saving its
// snapshot); the next owner, restored from it and replaying nothing before
// it, drops the report's resend and dead-letters a second report under its
// id, instead of raising the incident again.
func TestStageResendAfterMove(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	e := newEnv(ctx, t, 1)
	got := e.collect(ctx, t)
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	report := func(id, text string, received time.Time) *cityops.Event {
		return &cityops.Event{ID: id, Source: cityops.SourceHotline, Type: "complaint", Text: text,
			Lat: 30.62, Lon: 117.07, Time: t0, Received: received}
	}
	changesOf := func(id string) (n int, texts []string) {
		for _, c := range got.snapshot() {
			if c.Event != nil && c.Event.ID == id {
				n++
				texts = append(texts, c.Event.Text)
			}
		}
		return n, texts
	}

	e.write(ctx, t, []*cityops.Event{report("r-1", "garbage piled up", t0)})
	a := e.start(ctx, t, func() *rules.Pack { return demoPack(t) })
	waitFor(ctx, t, "the report's change", func() bool { n, _ := changesOf("r-1"); return n == 1 })
	a.halt(t)

	e.write(ctx, t, []*cityops.Event{
		report("r-1", "garbage piled up", t0.Add(time.Minute)), // a resend
		report("r-1", "a broken street light", t0),             // another report under its id
		report("r-2", "garbage piled up again", t0),
	})
	b := e.start(ctx, t, func() *rules.Pack { return demoPack(t) })
	defer b.halt(t)
	// One partition throughout: once r-2's change is out, anything r-1's
	// records emitted is out too.
	waitFor(ctx, t, "the last report's change", func() bool { n, _ := changesOf("r-2"); return n > 0 })
	if n, texts := changesOf("r-1"); n != 1 {
		t.Errorf("%d changes of r-1 (%q), want the first one only", n, texts)
	}
	var letters []bus.Letter
	waitFor(ctx, t, "the second report dead-lettered", func() bool {
		letters = letters[:0]
		err := bus.ReadDeadLetters(ctx, e.brokers, e.topics.DeadLetters, func(l bus.Letter) error {
			letters = append(letters, l)
			return nil
		})
		return err == nil && len(letters) > 0
	})
	var ev cityops.Event
	if len(letters) != 1 || json.Unmarshal(letters[0].Value, &ev) != nil || ev.Text != "a broken street light" ||
		!strings.HasPrefix(letters[0].Reason, `invalid event: id: "r-1" already used`) {
		t.Errorf("dead letters %+v, want the second report under r-1, its id named", letters)
	}
}
