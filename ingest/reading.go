package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cityops/cityops"
	"github.com/segmentio/kafka-go"
)

// Reading is one sensor reading as a device or gateway sends it: the line
// of an NDJSON batch and the record of the readings topic.
type Reading struct {
	ID       string   `json:"id"` // optional; by default the id is derived from device_id and time
	DeviceID string   `json:"device_id"`
	Type     string   `json:"type"`
	Value    *float64 `json:"value"`
	Unit     string   `json:"unit"`
	Time     string   `json:"time"`
	Lat      *float64 `json:"lat"`
	Lon      *float64 `json:"lon"`
}

// DecodeReading decodes and validates one JSON reading. When reg has
// devices, the reading must name one of them; a registered device's reading
// takes the device's location and may leave out its type and unit; when it gives a type it must be
// the device's. Without a registry, a reading must give its location. A
// client's own id may not be in a reserved namespace (CheckClientID), save
// the one id of that namespace a reading may carry: the id derived from its
// device and time, which intake's normalized record (ReadingRecord) writes
// and which is the id the reading would get without one. Without an id, the
// event's id is derived from the device and the time, so a reading sent
// twice is one event.
func (v *Validator) DecodeReading(reg Registry, b []byte) (cityops.Event, error) {
	var r Reading
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return cityops.Event{}, jsonError(err)
	}
	if dec.More() {
		return cityops.Event{}, cityops.Invalid("body", "more than one JSON value")
	}
	return v.CheckReading(reg, &r)
}

// CheckReading validates a reading decoded by another decoder (the readings
// stage's) exactly as DecodeReading does, and returns it as an event.
func (v *Validator) CheckReading(reg Registry, r *Reading) (cityops.Event, error) {
	if r.DeviceID == "" {
		return cityops.Event{}, cityops.Invalid("device_id", "required")
	}
	derived := strings.HasPrefix(r.ID, PrefixReading) // checked once the id can be derived
	if r.ID != "" && !derived {
		if err := CheckClientID("id", r.ID); err != nil {
			return cityops.Event{}, err
		}
	}
	d, ok := reg[r.DeviceID]
	if !ok && len(reg) > 0 {
		return cityops.Event{}, cityops.Invalid("device_id", "%q is not a registered device", r.DeviceID)
	}
	if ok {
		switch {
		case r.Type == "":
			r.Type = d.Type
		case r.Type != d.Type:
			return cityops.Event{}, cityops.Invalid("type", "device %s is a %s sensor, not %q", d.ID, d.Type, r.Type)
		}
		if r.Unit == "" {
			r.Unit = d.Unit
		}
		r.Lat, r.Lon = &d.Lat, &d.Lon // a registered device is where the registry says

	} else if r.Lat == nil || r.Lon == nil {
		field := "lat"
		if r.Lat != nil {
			field = "lon"
		}
		return cityops.Event{}, cityops.Invalid(field, "required for device %q, which is not registered", r.DeviceID)
	}
	ev, err := v.validate(&EventRequest{
		ID: r.ID, Source: string(cityops.SourceIoT), Type: r.Type, Lat: r.Lat, Lon: r.Lon,
		Time: r.Time, Value: r.Value, Unit: r.Unit, DeviceID: r.DeviceID,
	})
	if err != nil {
		return ev, err
	}
	switch {
	case ev.ID == "":
		ev.ID = ReadingID(ev)
	case derived && ev.ID != ReadingID(ev):
		return cityops.Event{}, CheckClientID("id", ev.ID)
	}
	return ev, nil
}

// ReadingRecord is the record of the readings topic for a valid reading:
// the reading as a gateway would write it, normalized (its id, type, unit
// and place filled in), keyed by device.
func ReadingRecord(ev cityops.Event) (kafka.Message, error) {
	lat, lon := ev.Lat, ev.Lon
	b, err := json.Marshal(Reading{ID: ev.ID, DeviceID: ev.DeviceID, Type: ev.Type, Value: ev.Value, Unit: ev.Unit,
		Time: ev.Time.UTC().Format(time.RFC3339Nano), Lat: &lat, Lon: &lon})
	if err != nil {
		return kafka.Message{}, fmt.Errorf("encoding reading %s: %w", ev.ID, err)
	}
	return kafka.Message{Key: []byte(ev.DeviceID), Value: b}, nil
}

// ReadingID is the id of a reading without one of its own: the same device
// at the same instant is the same reading.
func ReadingID(ev cityops.Event) string {
	sum := sha256.Sum256([]byte(ev.DeviceID + "\x00" + ev.Time.UTC().Format("2006-01-02T15:04:05.999999999Z")))
	return "rd-" + hex.EncodeToString(sum[:12])
}
