package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cityops/cityops"
)

// BenchmarkInsertChanges inserts batches of 10,000 new incidents, each with its
// event, as the changes consumer does: one insert into incidents and one into
// events per batch.
func BenchmarkInsertChanges(b *testing.B) {
	const batchSize = 10_000
	s := newStore(b)
	ctx := testContext(b)
	base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	departments := []string{"NYPD", "DSNY", "DOT", "DEP", "HPD", "DOHMH"}
	batch := make([]cityops.Change, batchSize)
	fill := func(n int) {
		for i := range batch {
			k := n*batchSize + i
			t := base.Add(time.Duration(k) * time.Second)
			v := float64(k % 500)
			id := fmt.Sprintf("inc-%d", k)
			ev := &cityops.Event{
				ID: fmt.Sprintf("ev-%d", k), Source: cityops.SourceIoT, Type: "noise", Text: "reading above threshold",
				Lat: 40.7 + float64(k%1000)/10000, Lon: -74.0 + float64(k%700)/10000, Time: t, Received: t.Add(time.Second),
				Value: &v, Unit: "dBA", DeviceID: fmt.Sprintf("dev-%d", k%651),
			}
			batch[i] = cityops.Change{Kind: cityops.ChangeCreated, Event: ev, Incident: cityops.Incident{
				ID: id, EventID: ev.ID, Source: ev.Source, Type: ev.Type, Category: "noise", CategoryName: "Noise",
				Severity: 1 + k%4, Status: cityops.StatusDispatched, Lat: ev.Lat, Lon: ev.Lon,
				Cell: cityops.Cell(617700169958293503 + uint64(k%5000)<<15), Cell7: 608692970719281151, Cell5: 599685771850416127,
				AreaID: fmt.Sprintf("MN%02d", k%12), DistrictID: "MN", DepartmentID: departments[k%len(departments)],
				Rules: []string{"noise.threshold", "route.noise"}, Reported: t, Updated: t, Deadline: t.Add(72 * time.Hour), Version: 1,
			}}
		}
	}
	var took time.Duration
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		fill(n)
		b.StartTimer()
		start := time.Now()
		if err := s.InsertChanges(ctx, batch); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
	}
	b.ReportMetric(float64(b.N*batchSize)/took.Seconds(), "changes/s")
	b.ReportMetric(float64(2*b.N*batchSize)/took.Seconds(), "rows/s")
}
