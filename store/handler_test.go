package store_test

import (
	"bytes"
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

// TestSignalHandlerStoresMergedEvents: on incidents.found the sink stores the
// events of merged and cleared signals and skips new incidents, which it
// stores from incidents.changes; a merged record adds no incident row.
func TestSignalHandlerStoresMergedEvents(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	var batch []kafka.Message
	for i, v := range readRecords(t, "changes.ndjson") {
		if bytes.HasPrefix(v, []byte(`{"kind":"created",`)) {
			batch = append(batch, kafka.Message{Topic: "incidents.found", Offset: int64(i), Value: v})
		}
	}
	merged := `{"kind":"merged","incident":{"id":"inc-1","event_id":"ev-m","source":"hotline","type":"complaint","category":"noise","category_name":"Noise","severity":2,"status":"dispatched","lat":40.7128,"lon":-74.006,"cell":"8928308280fffff","cell7":"872830828ffffff","cell5":"85283083fffffff","area_id":"MN01","district_id":"MN","department_id":"NYPD","reported":"2026-03-14T23:00:00Z","updated":"2026-03-14T23:00:01Z","version":1},` +
		`"event":{"id":"ev-m","source":"hotline","type":"complaint","lat":40.7128,"lon":-74.006,"time":"2026-03-14T23:00:00Z","received":"2026-03-14T23:00:01Z"},` +
		`"merge":{"signal":"ev-m","seq":1,"reports":2,"report_ids":["ev-1","ev-m"],"first":"2026-03-14T22:15:09Z","last":"2026-03-14T23:00:00Z"}}`
	batch = append(batch, kafka.Message{Topic: "incidents.found", Offset: 99, Value: []byte(merged)})
	h := s.SignalHandler(func(_ context.Context, m kafka.Message, reason error) error {
		t.Errorf("dead letter %s: %v", m.Value, reason)
		return nil
	})
	if err := h(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountEvents(ctx); err != nil || n != 1 {
		t.Errorf("CountEvents = %d, %v, want 1 (the merged report's)", n, err)
	}
	if n, err := s.CountIncidents(ctx); err != nil || n != 0 {
		t.Errorf("CountIncidents = %d, %v, want 0", n, err)
	}
	if ev, err := s.EventByID(ctx, "ev-m"); err != nil || uint64(ev.Cell) != 0x8928308280fffff {
		t.Errorf("the merged report's event: %+v, %v", ev, err)
	}
}
