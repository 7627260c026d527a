package open311

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/privacy"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// testEnv is an Open311 endpoint publishing to a real embedded broker.
type testEnv struct {
	srv     *Server
	http    *httptest.Server
	brokers []string
	topic   string
	status  map[string]Status
	vault   *privacy.Vault
	sealer  *privacy.Sealer
	rated   map[string][]Feedback // the ratings handed over, by incident
}

var testNow = time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)

// testAttributes gives the street-vending service a definition, so that
// attribute checks can be tried.
var testAttributes = map[string][]Attribute{
	"09006": {
		{Variable: true, Code: "goods", Datatype: "singlevaluelist", Required: true, Order: 1, Description: "What is sold",
			Values: []Value{{Key: "food", Name: "Food"}, {Key: "fruit", Name: "Fruit"}, {Key: "other", Name: "Other"}}},
		{Variable: true, Code: "stalls", Datatype: "number", Order: 2, Description: "How many stalls"},
		{Variable: true, Code: "seen", Datatype: "datetime", Order: 3, Description: "When"},
		{Variable: true, Code: "days", Datatype: "multivaluelist", Order: 4, Description: "Days seen",
			Values: []Value{{Key: "mon", Name: "Monday"}, {Key: "sat", Name: "Saturday"}}},
		{Variable: false, Code: "note", Datatype: "text", Order: 5, Description: "Photos help."},
	},
}

func newTestEnv(t testing.TB, limiter *ingest.KeyLimiter) *testEnv {
	t.Helper()
	b, err := broker.Start("127.0.0.1:0", "", 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	brokers := []string{b.Addr()}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bus.EnsureTopics(ctx, brokers, 1, bus.TopicEventsRaw); err != nil {
		t.Fatal(err)
	}
	w := bus.NewWriter(brokers, bus.TopicEventsRaw)
	t.Cleanup(func() { w.Close() })
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := privacy.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{brokers: brokers, topic: bus.TopicEventsRaw, status: map[string]Status{}, vault: privacy.NewVault(), sealer: sealer,
		rated: map[string][]Feedback{}}
	env.srv = New(Config{
		Categories:   pack.Categories,
		Jurisdiction: "demo.cityops.example",
		Attributes:   testAttributes,
		APIKeys:      map[string]bool{"dev-key": true},
		Validator:    &ingest.Validator{BBox: [4]float64{117.0, 30.57, 117.141, 30.672}, Now: func() time.Time { return testNow }},
		Publish:      w.WriteMessages,
		Status: func(_ context.Context, id string) (Status, bool) {
			s, ok := env.status[id]
			return s, ok
		},
		Limiter: limiter,
		Sealer:  sealer,
		KeepSealed: func(_ context.Context, id string, b []byte) error {
			env.vault.Put(id, b)
			return nil
		},
		Now: func() time.Time { return testNow },
		// The dispatcher takes one rating per round.
		Feedback: func(_ context.Context, fb Feedback) error {
			if len(env.rated[fb.Incident]) > 0 {
				return fmt.Errorf("%w: feedback already recorded for this round", cityops.ErrConflict)
			}
			env.rated[fb.Incident] = append(env.rated[fb.Incident], fb)
			return nil
		},
	})
	env.http = httptest.NewServer(env.srv.Handler("/open311/v2"))
	t.Cleanup(env.http.Close)
	return env
}

// published reads what the topic holds, waiting up to wait for more.
func (e *testEnv) published(t testing.TB, wait time.Duration) []kafka.Message {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: e.brokers, Topic: e.topic, Partition: 0, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	var out []kafka.Message
	for {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		m, err := r.ReadMessage(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
}
