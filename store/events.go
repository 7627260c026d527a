package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cityops/cityops"
)

// EventRecord is an event as stored: the event, and the incident it belongs
// to with where that incident was placed and sent.
type EventRecord struct {
	cityops.Event
	IncidentID   string       `json:"incident_id"`
	Cell         cityops.Cell `json:"cell"`  // the incident's cell, resolution 9
	Cell7        cityops.Cell `json:"cell7"` // its parent at resolution 7
	Cell5        cityops.Cell `json:"cell5"` // its parent at resolution 5
	AreaID       string       `json:"area_id"`
	DistrictID   string       `json:"district_id"`
	Category     string       `json:"category"`
	DepartmentID string       `json:"department_id"`
}

// eventColumns names the columns of events in the order eventBatch.values
// gives them.
var eventColumns = []string{
	"id", "source", "type", "text", "lat", "lon", "time", "time_ms", "received",
	"value", "has_value", "unit", "device_id", "incident_id", "cell", "cell7", "cell5",
	"area_id", "district_id", "category", "department_id",
}

// eventBatch holds the rows of one insert into events, column by column.
type eventBatch struct {
	id, source, typ, text                      []string
	lat, lon                                   []float64
	time                                       []time.Time
	timeMs                                     []uint64
	received                                   []time.Time
	value                                      []float64
	hasValue                                   []uint8
	unit, deviceID, incidentID                 []string
	cell, cell7, cell5                         []uint64
	areaID, districtID, category, departmentID []string
}

// newEventBatch returns a batch with room for n rows in every column, so that
// filling it allocates each column once.
func newEventBatch(n int) *eventBatch {
	return &eventBatch{
		id: make([]string, 0, n), source: make([]string, 0, n), typ: make([]string, 0, n), text: make([]string, 0, n),
		lat: make([]float64, 0, n), lon: make([]float64, 0, n), time: make([]time.Time, 0, n), timeMs: make([]uint64, 0, n),
		received: make([]time.Time, 0, n), value: make([]float64, 0, n), hasValue: make([]uint8, 0, n),
		unit: make([]string, 0, n), deviceID: make([]string, 0, n), incidentID: make([]string, 0, n),
		cell: make([]uint64, 0, n), cell7: make([]uint64, 0, n), cell5: make([]uint64, 0, n),
		areaID: make([]string, 0, n), districtID: make([]string, 0, n), category: make([]string, 0, n), departmentID: make([]string, 0, n),
	}
}

func (b *eventBatch) add(e *cityops.Event, in *cityops.Incident) {
	b.id = append(b.id, e.ID)
	b.source = append(b.source, string(e.Source))
	b.typ = append(b.typ, e.Type)
	b.text = append(b.text, e.Text)
	b.lat = append(b.lat, e.Lat)
	b.lon = append(b.lon, e.Lon)
	b.time = append(b.time, dateTime(e.Time))
	b.timeMs = append(b.timeMs, unixMilli(e.Time))
	b.received = append(b.received, dateTime(e.Received))
	if e.Value != nil {
		b.value = append(b.value, *e.Value)
		b.hasValue = append(b.hasValue, 1)
	} else {
		b.value = append(b.value, 0)
		b.hasValue = append(b.hasValue, 0)
	}
	b.unit = append(b.unit, e.Unit)
	b.deviceID = append(b.deviceID, e.DeviceID)
	b.incidentID = append(b.incidentID, in.ID)
	b.cell = append(b.cell, uint64(in.Cell))
	b.cell7 = append(b.cell7, uint64(in.Cell7))
	b.cell5 = append(b.cell5, uint64(in.Cell5))
	b.areaID = append(b.areaID, in.AreaID)
	b.districtID = append(b.districtID, in.DistrictID)
	b.category = append(b.category, in.Category)
	b.departmentID = append(b.departmentID, in.DepartmentID)
}

func (b *eventBatch) values() []any {
	return []any{
		b.id, b.source, b.typ, b.text, b.lat, b.lon, b.time, b.timeMs, b.received,
		b.value, b.hasValue, b.unit, b.deviceID, b.incidentID, b.cell, b.cell7, b.cell5,
		b.areaID, b.districtID, b.category, b.departmentID,
	}
}

// insertEvents inserts the events that the changes carry, if any.
func (s *Store) insertEvents(ctx context.Context, changes []cityops.Change) error {
	b := newEventBatch(len(changes))
	for i := range changes {
		if e := changes[i].Event; e != nil {
			b.add(e, &changes[i].Incident)
		}
	}
	if len(b.id) == 0 {
		return nil
	}
	return s.insertColumns(ctx, "events", eventColumns, b.values())
}

// CountEvents returns how many distinct events are stored.
func (s *Store) CountEvents(ctx context.Context) (uint64, error) {
	var n uint64
	if err := s.conn.QueryRow(ctx, countEventsQuery(s.db)).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting events: %w", err)
	}
	return n, nil
}

// EventByID returns the stored event with the given id, or an error matching
// cityops.ErrNotFound. It scans every partition: it serves tests and the web's
// detail view, not bulk reads.
func (s *Store) EventByID(ctx context.Context, id string) (EventRecord, error) {
	var (
		r                  EventRecord
		source             string
		t, received        time.Time
		timeMs             uint64
		hasValue           uint8
		value              float64
		cell, cell7, cell5 uint64
	)
	row := s.conn.QueryRow(ctx, eventByIDQuery(s.db), id)
	err := row.Scan(&r.ID, &source, &r.Type, &r.Text, &r.Lat, &r.Lon, &t, &timeMs, &received,
		&value, &hasValue, &r.Unit, &r.DeviceID, &r.IncidentID, &cell, &cell7, &cell5,
		&r.AreaID, &r.DistrictID, &r.Category, &r.DepartmentID)
	if errors.Is(err, sql.ErrNoRows) {
		return EventRecord{}, fmt.Errorf("reading event %q: %w", id, cityops.ErrNotFound)
	}
	if err != nil {
		return EventRecord{}, fmt.Errorf("reading event %q: %w", id, err)
	}
	r.Source = cityops.Source(source)
	r.Time = fromMilli(timeMs)
	if r.Time.IsZero() {
		r.Time = fromDateTime(t)
	}
	r.Received = fromDateTime(received)
	if hasValue != 0 {
		r.Value = &value
	}
	r.Cell, r.Cell7, r.Cell5 = cityops.Cell(cell), cityops.Cell(cell7), cityops.Cell(cell5)
	return r, nil
}
