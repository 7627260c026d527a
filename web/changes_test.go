package web

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/cityops/cityops"
	"github.com/segmentio/kafka-go"
)

func TestChangeHandler(t *testing.T) {
	s, ts, reg := newTestServer(t, nil)
	c := connect(t, ts, "center-token")
	subscribe(t, c, centerSub)

	record := func(v any) kafka.Message {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return kafka.Message{Topic: "incidents.changes", Value: b}
	}
	noID := change(t, 9, cityops.ChangeCreated, cityops.StatusDispatched, 1)
	noID.Incident.ID = ""
	badKind := change(t, 8, "deleted", cityops.StatusDispatched, 1)
	merged := change(t, 1, cityops.ChangeMerged, cityops.StatusDispatched, 1)
	merged.Merge = &cityops.Merge{Signal: "ev-3", Seq: 1, Reports: 2, ReportIDs: []string{"ev-1", "ev-3"}}
	cleared := change(t, 2, cityops.ChangeCleared, cityops.StatusDispatched, 1)
	cleared.Merge = &cityops.Merge{Signal: "al-1", Seq: 1, Alarm: "water_level"}
	batch := []kafka.Message{
		record(change(t, 1, cityops.ChangeCreated, cityops.StatusDispatched, 1)),
		{Topic: "incidents.changes", Offset: 7, Value: []byte("{not json")},
		{Topic: "incidents.changes", Offset: 8, Value: []byte(`{"kind":"created","incident":{"version":"x"}}`)},
		record(noID),
		record(badKind),
		record(merged),
		record(cleared),
		record(change(t, 2, cityops.ChangeCreated, cityops.StatusAccepted, 1)),
	}
	if err := s.ChangeHandler()(context.Background(), batch); err != nil {
		t.Fatalf("handler: %v", err)
	}
	for _, want := range []string{"inc-1", "inc-2"} {
		if m := next(t, c); m.Type != "upsert" || m.Incident.ID != want || len(m.Incident.Hex) != 6 {
			t.Fatalf("got %+v, want a change of %s with its hex", m, want)
		}
	}
	tests := []struct {
		result string
		want   float64
	}{
		{resultPublished, 2},
		{resultUndecodable, 2},
		{resultInvalid, 2},
		{resultStale, 0},
		{resultSignal, 2},
	}
	for _, tt := range tests {
		if got := metric(t, reg, "cityops_web_changes_total", "result", tt.result); got != tt.want {
			t.Errorf("changes %s: %v, want %v", tt.result, got, tt.want)
		}
	}
}
