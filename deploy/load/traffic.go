package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/replay"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// Traffic makes the events of a run. It is read-only once built and safe for
// concurrent use; event n of a run is always the same event.
type Traffic struct {
	run          string // unique id of the run, part of every event id
	hotlineShare float64
	hotline      []cityops.Event // templates: type, text and place
	devices      []cityops.Device
	series       map[string][]float64 // device type -> recorded values
	fallback     []float64
	bbox         [4]float64
}

// Sources are the real data a run replays. Without NYC311 the hotline
// requests, and without Beach and Santander the sensor readings, are the
// city's own simulated ones (see deploy/sim), so a run needs no outside data.
type Sources struct {
	NYC311     []byte // nyc311_dev.csv
	Beach      []byte // Chicago beach water sensors CSV
	Santander  []byte // Santander environment sensors JSON snapshot
	HotlineMix float64
}

// NewTraffic builds the traffic of run for the city in pack. Hotline rows are
// moved into the city: when most of them already lie inside the city's
// areas (a pack of New York) they stay where they are, otherwise the rows'
// bounding box is mapped linearly onto the city's, and rows that land
// outside every area are left out.
func NewTraffic(run string, pack *rules.Pack, src Sources) (*Traffic, error) {
	if src.HotlineMix < 0 || src.HotlineMix > 1 {
		return nil, cityops.Invalid("mix", "must be between 0 and 1")
	}
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return nil, fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
	}
	var rows []cityops.Event
	var simSeries map[string][]float64
	var simFallback []float64
	if len(src.NYC311) == 0 || len(src.Beach)+len(src.Santander) == 0 {
		if rows, simSeries, simFallback, err = simulated(pack); err != nil {
			return nil, err
		}
	}
	if len(src.NYC311) > 0 {
		if rows, err = nycRows(src.NYC311); err != nil {
			return nil, err
		}
	}
	t := &Traffic{run: run, hotlineShare: src.HotlineMix, devices: pack.Devices}
	t.hotline = placeRows(rows, areas)
	t.bbox = areas.BBox()
	if len(t.hotline) == 0 && src.HotlineMix > 0 {
		return nil, fmt.Errorf("building traffic: none of %d hotline rows lies in %s", len(rows), pack.Name)
	}
	if len(src.Beach)+len(src.Santander) == 0 {
		t.series, t.fallback = simSeries, simFallback
	} else if t.series, t.fallback, err = sensorSeries(src.Beach, src.Santander); err != nil {
		return nil, err
	}
	if len(t.devices) == 0 {
		t.hotlineShare = 1
	}
	return t, nil
}

// nycRows replays the CSV through the replay package's validation and keeps
// the events it would publish.
func nycRows(csv []byte) ([]cityops.Event, error) {
	var out []cityops.Event
	cfg := replay.Config{
		Mapping:   replay.NYC311,
		Validator: &ingest.Validator{MaxAge: 100 * 365 * 24 * time.Hour},
		Publish: func(_ context.Context, msgs ...kafka.Message) error {
			for _, m := range msgs {
				var ev cityops.Event
				if err := json.Unmarshal(m.Value, &ev); err != nil {
					return fmt.Errorf("decoding a replayed row: %w", err)
				}
				out = append(out, ev)
			}
			return nil
		},
	}
	if _, err := replay.Run(context.Background(), bytes.NewReader(csv), cfg); err != nil {
		return nil, fmt.Errorf("replaying the hotline requests: %w", err)
	}
	return out, nil
}

// placeRows moves rows into the city's areas (see NewTraffic).
func placeRows(rows []cityops.Event, areas *geo.Index) []cityops.Event {
	inside := 0
	for _, r := range rows {
		if _, ok := areas.Locate(r.Lat, r.Lon); ok {
			inside++
		}
	}
	if inside*2 >= len(rows) {
		out := rows[:0:0]
		for _, r := range rows {
			if _, ok := areas.Locate(r.Lat, r.Lon); ok {
				out = append(out, r)
			}
		}
		return out
	}
	src := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} // lon, lat, lon, lat
	for _, r := range rows {
		src[0], src[1] = min(src[0], r.Lon), min(src[1], r.Lat)
		src[2], src[3] = max(src[2], r.Lon), max(src[3], r.Lat)
	}
	dst := areas.BBox()
	var out []cityops.Event
	for _, r := range rows {
		r.Lon = round6(scale(r.Lon, src[0], src[2], dst[0], dst[2]))
		r.Lat = round6(scale(r.Lat, src[1], src[3], dst[1], dst[3]))
		if _, ok := areas.Locate(r.Lat, r.Lon); ok {
			out = append(out, r)
		}
	}
	return out
}

func scale(x, a0, a1, b0, b1 float64) float64 {
	if a1 == a0 {
		return (b0 + b1) / 2
	}
	return b0 + (x-a0)/(a1-a0)*(b1-b0)
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// ID returns the id of event n of the run.
func (t *Traffic) ID(n int) string {
	b := append(make([]byte, 0, 32), t.Prefix()...)
	d := strconv.AppendInt(nil, int64(n), 10)
	for range 9 - len(d) {
		b = append(b, '0')
	}
	return string(append(b, d...))
}

// Prefix is what every event id of the run starts with.
func (t *Traffic) Prefix() string { return "load-" + t.run + "-" }

// Hotline reports whether event n is a hotline request (the rest are sensor
// readings). The share of hotline events is exact over any long stretch.
func (t *Traffic) Hotline(n int) bool {
	s := t.hotlineShare
	return math.Floor(float64(n+1)*s) > math.Floor(float64(n)*s)
}

// Event returns event n of the run as it happens at now.
func (t *Traffic) Event(n int, now time.Time) cityops.Event {
	if t.Hotline(n) {
		ev := t.hotline[n%len(t.hotline)]
		ev.ID, ev.Time, ev.Received = t.ID(n), now, time.Time{}
		return ev
	}
	d := t.devices[n%len(t.devices)]
	vals := t.series[d.Type]
	if len(vals) == 0 {
		vals = t.fallback
	}
	// A device's value moves once a second of the run, through its series:
	// at thousands of readings a second over a few devices, a new value
	// with every reading would be a change of metres in a millisecond, a
	// rate-of-change alarm raised and cleared at every reading.
	v := vals[(int(now.Unix())+n%len(t.devices))%len(vals)]
	return cityops.Event{
		ID: t.ID(n), Source: cityops.SourceIoT, Type: d.Type, Lat: d.Lat, Lon: d.Lon,
		Time: now, Value: &v, Unit: d.Unit, DeviceID: d.ID,
	}
}

// Request returns event n as a client posts it to the intake API.
func (t *Traffic) Request(n int, now time.Time) ([]byte, error) {
	ev := t.Event(n, now)
	r := ingest.EventRequest{
		ID: ev.ID, Source: string(ev.Source), Type: ev.Type, Text: ev.Text, Lat: &ev.Lat, Lon: &ev.Lon,
		Time: ev.Time.Format(time.RFC3339Nano), Value: ev.Value, Unit: ev.Unit, DeviceID: ev.DeviceID,
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encoding event %d: %w", n, err)
	}
	return b, nil
}

// Reading returns sensor reading n as a gateway writes it to readings.raw:
// keyed by device, with the run's id, the device's value and the time; the
// registry fills in the rest. It is written by hand, not marshalled: at a
// hundred thousand readings a second on the machine under test, what the
// load tool spends is taken from the system it measures.
func (t *Traffic) Reading(n int, now time.Time) (kafka.Message, error) {
	ev := t.Event(n, now)
	b := append(make([]byte, 0, 128), `{"id":`...)
	b, err := jsontext.AppendQuote(b, ev.ID)
	if err == nil {
		b = append(b, `,"device_id":`...)
		b, err = jsontext.AppendQuote(b, ev.DeviceID)
	}
	if err != nil {
		return kafka.Message{}, fmt.Errorf("encoding reading %d: %w", n, err)
	}
	b = append(b, `,"value":`...)
	b = strconv.AppendFloat(b, *ev.Value, 'g', -1, 64)
	b = append(b, `,"time":"`...)
	b = ev.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `"}`...)
	return kafka.Message{Key: []byte(ev.DeviceID), Value: b}, nil
}

// Record returns event n as intake writes it to events.raw.
func (t *Traffic) Record(n int, now time.Time) (kafka.Message, error) {
	ev := t.Event(n, now)
	ev.Received = now
	b, err := json.Marshal(ev)
	if err != nil {
		return kafka.Message{}, fmt.Errorf("encoding event %d: %w", n, err)
	}
	return kafka.Message{Key: []byte(ev.ID), Value: b}, nil
}

// HotlineRows is how many distinct hotline requests the run cycles through.
func (t *Traffic) HotlineRows() int { return len(t.hotline) }

// BBox is the extent of the city the traffic is in: [west, south, east, north].
func (t *Traffic) BBox() [4]float64 { return t.bbox }
