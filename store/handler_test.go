package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cityops/cityops"
	"github.com/segmentio/kafka-go"
)

func TestHandlerDeadLettersBadRecords(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	good := readRecords(t, "changes.ndjson")
	bad := []struct {
		name  string
		value string
	}{
		{"not json", `{"kind":"created","incident":`},
		{"wrong type", `{"kind":"created","incident":{"id":42}}`},
		{"null", `null`},
		{"no incident id", `{"kind":"created","incident":{"id":"","version":1}}`},
		{"event without id", `{"kind":"created","incident":{"id":"inc-9","version":1},"event":{"id":"","source":"iot"}}`},
	}
	var batch []kafka.Message
	for i, v := range good {
		batch = append(batch, kafka.Message{Topic: "incidents.changes", Offset: int64(2 * i), Value: v})
		if i < len(bad) {
			batch = append(batch, kafka.Message{Topic: "incidents.changes", Offset: int64(2*i + 1), Key: []byte(bad[i].name), Value: []byte(bad[i].value)})
		}
	}
	dead := map[string]error{}
	h := s.Handler(func(_ context.Context, m kafka.Message, reason error) error {
		dead[string(m.Key)] = reason
		return nil
	})
	if err := h(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			reason, ok := dead[b.name]
			if !ok {
				t.Fatal("not dead-lettered")
			}
			if !errors.Is(reason, cityops.ErrInvalid) {
				t.Errorf("reason %v does not match ErrInvalid", reason)
			}
		})
	}
	if len(dead) != len(bad) {
		t.Errorf("%d records dead-lettered, want %d", len(dead), len(bad))
	}
	if n, err := s.CountEvents(ctx); err != nil || n != 4 {
		t.Errorf("CountEvents = %d, %v, want 4", n, err)
	}
	if n, err := s.CountIncidents(ctx); err != nil || n != 3 {
		t.Errorf("CountIncidents = %d, %v, want 3", n, err)
	}
	if _, err := s.Incident(ctx, "inc-9"); !errors.Is(err, cityops.ErrNotFound) {
		t.Errorf("inc-9 of a dead-lettered record: got %v, want ErrNotFound", err)
	}
}

// TestHandlerReturnsInsertError: when ClickHouse fails, the handler says so
// (the consumer retries and commits nothing) and dead-letters nothing yet.
func TestHandlerReturnsInsertError(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	if err := s.Exec(ctx, "DROP TABLE "+s.Database()+".events"); err != nil {
		t.Fatal(err)
	}
	calls := 0
	h := s.Handler(func(context.Context, kafka.Message, error) error { calls++; return nil })
	batch := []kafka.Message{{Value: readRecords(t, "changes.ndjson")[0]}, {Value: []byte("{")}}
	if err := h(ctx, batch); err == nil {
		t.Fatal("handler returned nil with the events table gone")
	}
	if calls != 0 {
		t.Fatalf("dlq called %d times before the insert succeeded", calls)
	}
}

func TestHandlerReturnsDeadLetterError(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	h := s.Handler(func(context.Context, kafka.Message, error) error { return fmt.Errorf("broker down") })
	if err := h(ctx, []kafka.Message{{Value: []byte("{")}}); err == nil {
		t.Fatal("handler returned nil though the record could not be dead-lettered")
	}
}
