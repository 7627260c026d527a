package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/webhook"
)

func TestDeliveryRetriesSignsAndDeadLetters(t *testing.T) {
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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	for _, dept := range []string{"water", "jj", "zjw", "nobody"} {
		task := &lifecycle.Task{Incident: cityops.Incident{ID: "INC-1", DepartmentID: dept, Version: 3}}
		d.Notify(task, cityops.Transition{IncidentID: "INC-1", Version: 3, Action: "accept", To: cityops.StatusAccepted})
	}
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
	cancel()
	<-done
}
