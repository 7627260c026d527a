package store

import (
	"context"
	"fmt"
	"time"

	"github.com/cityops/cityops"
)

// readingColumns names the columns of readings in the order
// Readings.values gives them.
var readingColumns = []string{
	"device_id", "time", "time_ms", "id", "type", "value", "unit", "lat", "lon", "cell", "area_id", "incident_id",
}

// Readings are the rows of one insert into readings, column by column: the
// readings path fills them as it decodes its input and hands them to
// InsertReadings in one native batch, each column appended whole. A
// reading's row is keyed by device, time and id, so a batch inserted again
// after a replay collapses into the first (ReplacingMergeTree) and reads
// with FINAL see each reading once.
type Readings struct {
	device, id, typ, unit, area, incident []string
	time                                  []time.Time
	timeMs, cell                          []uint64
	value, lat, lon                       []float64
}

// Add appends a valid reading (an event with a device and a value) placed
// in cell (resolution 9) and area.
func (r *Readings) Add(ev *cityops.Event, cell cityops.Cell, area string) {
	v := 0.0
	if ev.Value != nil {
		v = *ev.Value
	}
	r.device = append(r.device, ev.DeviceID)
	r.time = append(r.time, dateTime(ev.Time))
	r.timeMs = append(r.timeMs, unixMilli(ev.Time))
	r.id = append(r.id, ev.ID)
	r.typ = append(r.typ, ev.Type)
	r.value = append(r.value, v)
	r.unit = append(r.unit, ev.Unit)
	r.lat = append(r.lat, ev.Lat)
	r.lon = append(r.lon, ev.Lon)
	r.cell = append(r.cell, uint64(cell))
	r.area = append(r.area, area)
	r.incident = append(r.incident, "")
}

// Len is the number of rows.
func (r *Readings) Len() int { return len(r.id) }

// Reset empties the rows, keeping their room.
func (r *Readings) Reset() {
	r.device, r.id, r.typ, r.unit, r.area, r.incident = r.device[:0], r.id[:0], r.typ[:0], r.unit[:0], r.area[:0], r.incident[:0]
	r.time, r.timeMs, r.cell = r.time[:0], r.timeMs[:0], r.cell[:0]
	r.value, r.lat, r.lon = r.value[:0], r.lat[:0], r.lon[:0]
}

func (r *Readings) values() []any {
	return []any{r.device, r.time, r.timeMs, r.id, r.typ, r.value, r.unit, r.lat, r.lon, r.cell, r.area, r.incident}
}

// InsertReadings stores rows in one insert; it returns once ClickHouse has
// them. An empty batch is not sent.
func (s *Store) InsertReadings(ctx context.Context, rows *Readings) error {
	if rows.Len() == 0 {
		return nil
	}
	err := s.insertColumns(ctx, "readings", readingColumns, rows.values())
	s.noteInsert(err)
	if err != nil {
		return fmt.Errorf("inserting %d readings: %w", rows.Len(), err)
	}
	return nil
}

// IDs returns the readings' ids, in the order they were added.
func (r *Readings) IDs() []string { return r.id }

// InsertRows stores rows the readings path gathered in a *Readings made by
// NewReadings; it fits readings.Insert.
func (s *Store) InsertRows(ctx context.Context, rows interface{ Len() int }) error {
	r, ok := rows.(*Readings)
	if !ok {
		return fmt.Errorf("inserting readings: rows of type %T, not *store.Readings", rows)
	}
	return s.InsertReadings(ctx, r)
}
