package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/dispatch/feed"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/webhook"
	"github.com/segmentio/kafka-go"
)

// startBroker returns the address of an embedded broker with the topics of
// the departments.
func startBroker(ctx context.Context, t *testing.T, depts ...string) []string {
	t.Helper()
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	brokers := []string{b.Addr()}
	var topics []string
	for _, d := range depts {
		topics = append(topics, feed.Topic(d))
	}
	if err := bus.EnsureTopics(ctx, brokers, 1, topics...); err != nil {
		t.Fatal(err)
	}
	return brokers
}

// publish writes n transitions of incidents INC-1..INC-n to dept's topic,
// as the dispatcher's fanout does.
func publish(ctx context.Context, t *testing.T, brokers []string, dept string, n int) {
	t.Helper()
	w := bus.NewWriter(brokers, feed.Topic(dept))
	defer w.Close()
	var msgs []kafka.Message
	for i := 1; i <= n; i++ {
		task := &lifecycle.Task{Incident: cityops.Incident{ID: fmt.Sprintf("INC-%d", i), DepartmentID: dept, Version: 3}}
		for _, m := range feed.Records(task, cityops.Transition{IncidentID: task.ID, Version: 3, Action: "accept", To: cityops.StatusAccepted}) {
			m.Topic = ""
			msgs = append(msgs, m)
		}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

func TestDeliveryRetriesSignsAndDeadLetters(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	brokers := startBroker(ctx, t, "water", "jj", "zjw")
	var calls atomic.Int32
	var mu sync.Mutex
	var got []webhook.Delivery
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get(webhook.HeaderSignature) != webhook.Sign("s3cret", body) {
			t.Errorf("bad signature %q", r.Header.Get(webhook.HeaderSignature))
		}
		if calls.Add(1) <= 2 { // the first two attempts fail
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var d webhook.Delivery
		if err := json.Unmarshal(body, &d); err != nil {
			t.Error(err)
		}
		if r.Header.Get(webhook.HeaderDelivery) != "INC-1/3" {
			t.Errorf("delivery id %q", r.Header.Get(webhook.HeaderDelivery))
		}
		mu.Lock()
		got = append(got, d)
		mu.Unlock()
	}))
	defer good.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer bad.Close()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized) // a 4xx is not retried
	}))
	defer refusing.Close()

	dead := make(chan string, 4)
	d := webhook.New(webhook.Config{
		Brokers: brokers,
		Endpoints: map[string]webhook.Endpoint{
			"water": {URL: good.URL, Secret: "s3cret"},
			"jj":    {URL: bad.URL, Secret: "x"},
			"zjw":   {URL: refusing.URL, Secret: "y"},
		},
		Initial:    5 * time.Millisecond,
		MaxElapsed: 200 * time.Millisecond,
		DeadLetter: func(_ context.Context, dept string, body []byte, reason error) error {
			if len(body) == 0 || reason == nil {
				t.Errorf("dead letter of %s without body or reason", dept)
			}
			dead <- dept
			return nil
		},
	})
	for _, dept := range []string{"water", "jj", "zjw"} {
		publish(ctx, t, brokers, dept, 1)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	deadDepts := map[string]bool{}
	for len(deadDepts) < 2 {
		select {
		case dept := <-dead:
			deadDepts[dept] = true
		case <-ctx.Done():
			t.Fatalf("dead letters: %v", deadDepts)
		}
	}
	if !deadDepts["jj"] || !deadDepts["zjw"] {
		t.Errorf("dead letters for %v, want jj and zjw", deadDepts)
	}
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 1 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the good endpoint never took its delivery")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if calls.Load() != 3 || got[0].Transition.Action != "accept" || got[0].Task.ID != "INC-1" {
		t.Errorf("calls %d, delivery %+v", calls.Load(), got[0])
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestDeliveryResumesAfterStop stops the deliverer while the receiver is
// down, brings the receiver up and starts a new deliverer: every delivery
// arrives, in order, though some may arrive twice (the receiver drops
// repeats by the delivery id).
func TestDeliveryResumesAfterStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	brokers := startBroker(ctx, t, "water")
	const n = 20
	publish(ctx, t, brokers, "water", n)
	var up atomic.Bool
	var attempts atomic.Int32
	var mu sync.Mutex
	seen := map[string]bool{}
	var order []string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		id := r.Header.Get(webhook.HeaderDelivery)
		mu.Lock()
		if !seen[id] {
			seen[id] = true
			order = append(order, id)
		}
		mu.Unlock()
	}))
	defer recv.Close()
	cfg := webhook.Config{Brokers: brokers, Endpoints: map[string]webhook.Endpoint{"water": {URL: recv.URL, Secret: "s"}},
		Initial: 5 * time.Millisecond, MaxElapsed: time.Minute,
		DeadLetter: func(context.Context, string, []byte, error) error {
			t.Error("a delivery went to the dead letter")
			return nil
		}}

	first, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- webhook.New(cfg).Run(first) }()
	for attempts.Load() < 3 {
		time.Sleep(5 * time.Millisecond)
	}
	stop() // mid-stream, with the receiver down
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	up.Store(true)
	second, stop2 := context.WithCancel(ctx)
	defer stop2()
	go func() { done <- webhook.New(cfg).Run(second) }()
	for {
		mu.Lock()
		k := len(order)
		mu.Unlock()
		if k == n {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d of %d deliveries arrived: %v", k, n, order)
		case <-time.After(10 * time.Millisecond):
		}
	}
	for i, id := range order {
		if want := fmt.Sprintf("INC-%d/3", i+1); id != want {
			t.Errorf("delivery %d is %s, want %s", i, id, want)
		}
	}
	stop2()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
