package rules_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/rules"
	"github.com/uber/h3-go/v4"
)

// BenchmarkAlarmsObserve feeds 1,000 devices' water level readings through
// the demo pack's alarms (threshold with duration, rate, offline).
func BenchmarkAlarmsObserve(b *testing.B) {
	a := rules.NewAlarms(loadDemo(b).Alarms, time.UTC)
	t0 := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	devs := make([]string, 1000)
	for i := range devs {
		devs[i] = fmt.Sprint("water-", i)
	}
	v := 0.0
	ev := cityops.Event{Source: cityops.SourceIoT, Type: "water_level", Value: &v}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ev.DeviceID = devs[i%len(devs)]
		ev.Time = t0.Add(time.Duration(i) * time.Second)
		v = float64(i/len(devs)%7) * 0.05 // rises and falls through raise and clear
		a.Observe(&ev)
		i++
	}
}

// BenchmarkMergerAdd adds hotline reports spread over 10,000 cells and 20
// categories, an hour's reports a second apart.
func BenchmarkMergerAdd(b *testing.B) {
	m := rules.NewMerger(loadDemo(b).Merge, rules.MergerOptions{})
	o := h3.LatLngToCell(h3.NewLatLng(30.62, 117.07), 9)
	cells := o.GridDisk(57) // ~10k cells
	t0 := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = fmt.Sprint("e", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Add(rules.Candidate{ID: ids[i%len(ids)] + fmt.Sprint(i/len(ids)), IncidentID: ids[i%len(ids)], Category: fmt.Sprint(i % 20),
			Cell: cityops.Cell(cells[(i*7919)%len(cells)]), Time: t0.Add(time.Duration(i) * time.Second)})
		i++
	}
	b.ReportMetric(float64(m.Len()), "incidents-held")
}
