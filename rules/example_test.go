package rules_test

import (
	"fmt"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
)

// A processor keeps one Alarms and one Merger per partition. Each sensor
// reading goes to Alarms.Observe; a raised alarm becomes a merge candidate.
// Each classified hotline report is a candidate too. Merger.Add says which
// incident the signal belongs to: a new one (create it) or an existing one
// (update it: one more report or signal).
func Example_processor() {
	pack, err := rules.Load(demo.City())
	if err != nil {
		panic(err)
	}
	alarms := rules.NewAlarms(pack.Alarms, pack.Location)
	merger := rules.NewMerger(pack.Merge, rules.MergerOptions{})

	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	level := func(min int, v float64) *cityops.Event {
		return &cityops.Event{ID: fmt.Sprint("r", min), Source: cityops.SourceIoT, Type: "water_level", DeviceID: "water-001",
			Value: &v, Lat: 30.6171, Lon: 117.07773, Time: t0.Add(time.Duration(min) * time.Minute)}
	}
	complaint := &cityops.Event{ID: "h1", Source: cityops.SourceHotline, Type: "complaint", Text: "路口积水很深",
		Lat: 30.6172, Lon: 117.0778, Time: t0.Add(30 * time.Minute)}

	for _, ev := range []*cityops.Event{level(0, 0.2), level(3, 0.22), level(6, 0.3), complaint, level(40, 0.02)} {
		cells, err := geo.CellsOf(ev.Lat, ev.Lon)
		if err != nil {
			panic(err)
		}
		if ev.Source == cityops.SourceIoT {
			for _, c := range alarms.Observe(ev) {
				if c.Kind != rules.AlarmRaised {
					fmt.Println(c.Kind, c.Alarm.Type, "count", c.Alarm.Count, "peak", c.Alarm.Peak)
					continue
				}
				id, merged := merger.Add(c.Candidate(cells.Cell))
				fmt.Println(c.Kind, c.Alarm.Type, "->", id, "merged:", merged)
			}
			continue
		}
		d := pack.Engine.Classify(rules.NewInput(ev, pack))
		id, merged := merger.Add(rules.Candidate{ID: ev.ID, IncidentID: "INC-" + ev.ID, Category: d.Category,
			Cell: cells.Cell, Time: ev.Time})
		fmt.Println("complaint", d.Category, "->", id, "merged:", merged)
	}
	// Output:
	// raised water_level.high -> ALM-water-001-water_level.high-20260701T080600Z merged: false
	// raised water_level.rising -> ALM-water-001-water_level.high-20260701T080600Z merged: true
	// complaint 0111 -> ALM-water-001-water_level.high-20260701T080600Z merged: true
	// cleared water_level.high count 3 peak 0.3
	// cleared water_level.rising count 1 peak 0.3
}
