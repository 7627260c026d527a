package load

import (
	"fmt"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/sim"
	"github.com/cityops/cityops/rules"
)

// simulatedRows is how many events the simulator makes for a run without
// real data: enough distinct requests and readings that a run cycles through
// thousands of each.
const simulatedRows = 20000

// simulated makes the traffic of a run without real data from the city's own
// simulator (deploy/sim), with a fixed seed so every run of a pack replays
// the same requests: its hotline complaints as the request templates, its
// readings as the recorded values by device type.
func simulated(pack *rules.Pack) (hotline []cityops.Event, series map[string][]float64, fallback []float64, err error) {
	s, err := sim.New(pack, 1)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("simulating %s: %w", pack.Name, err)
	}
	series = map[string][]float64{}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for n := range simulatedRows {
		ev := s.Next(now.Add(time.Duration(n) * time.Second))
		switch {
		case ev.Source == string(cityops.SourceHotline):
			hotline = append(hotline, cityops.Event{Source: cityops.SourceHotline, Type: ev.Type, Text: ev.Text, Lat: ev.Lat, Lon: ev.Lon})
		case ev.Value != nil:
			series[ev.Type] = append(series[ev.Type], *ev.Value)
			fallback = append(fallback, *ev.Value)
		}
	}
	if len(fallback) == 0 {
		fallback = []float64{0}
	}
	return hotline, series, fallback, nil
}
