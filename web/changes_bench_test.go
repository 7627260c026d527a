package web

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/cityops/cityops"
	"github.com/segmentio/kafka-go"
)

// BenchmarkChangeHandler runs the changes consumer on records shaped as the
// pipeline writes them under load: per incident a created change, a merged
// one carrying a hundred report ids (the processor's cap), and the
// dispatcher's update. Reported per record, with no live client.
func BenchmarkChangeHandler(b *testing.B) {
	s, _, reg := newTestServer(b, nil)
	const incidents = 1000
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf("load-mwtf3c4l-%09d", i*7919)
	}
	// round returns the records of round r, with versions past those of
	// the rounds before, so that the hub publishes rather than finds them
	// stale.
	round := func(r uint64) []kafka.Message {
		var batch []kafka.Message
		add := func(c cityops.Change) {
			v, err := json.Marshal(c)
			if err != nil {
				b.Fatal(err)
			}
			batch = append(batch, kafka.Message{Topic: "incidents.changes", Value: v})
		}
		for n := range incidents {
			created := change(b, n, cityops.ChangeCreated, cityops.StatusDispatched, 2*r+1)
			created.Incident.Text = "Noise - Commercial: Car/Truck Horn"
			ev := cityops.Event{ID: created.Incident.EventID, Source: cityops.SourceHotline, Type: "311",
				Text: created.Incident.Text, Lat: created.Incident.Lat, Lon: created.Incident.Lon,
				Time: created.Incident.Reported, Received: created.Incident.Reported}
			created.Event = &ev
			add(created)
			merged := created
			merged.Kind = cityops.ChangeMerged
			merged.Merge = &cityops.Merge{Signal: ev.ID, Seq: 99, Reports: 120, ReportIDs: ids,
				First: created.Incident.Reported, Last: created.Incident.Reported}
			add(merged)
			updated := change(b, n, cityops.ChangeUpdated, cityops.StatusDispatched, 2*r+2)
			updated.Incident.Reports, updated.Incident.ReportIDs = 120, ids
			add(updated)
		}
		return batch
	}
	h := s.ChangeHandler()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for done, r := 0, uint64(0); done < b.N; r++ {
		b.StopTimer()
		batch := round(r)
		batch = batch[:min(len(batch), b.N-done)]
		b.StartTimer()
		if err := h(ctx, batch); err != nil {
			b.Fatal(err)
		}
		done += len(batch)
	}
	b.StopTimer()
	if b.N >= 3 && metric(b, reg, "cityops_web_changes_total", "result", resultPublished) == 0 {
		b.Fatal("nothing published")
	}
}
