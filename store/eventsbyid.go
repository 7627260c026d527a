package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cityops/cityops"
)

// MaxEventsByID is how many ids one EventsByID reads.
const MaxEventsByID = 100

// EventsByID returns the stored events with the given ids (at most
// MaxEventsByID), by id, in one query: the public Open311 GET of many
// requests costs one scan, not one per id. Where an id has more than one row
// the first received is the one returned: the original, not a later send.
func (s *Store) EventsByID(ctx context.Context, ids []string) (map[string]EventRecord, error) {
	out := map[string]EventRecord{}
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > MaxEventsByID {
		return nil, fmt.Errorf("reading %d events by id: more than %d", len(ids), MaxEventsByID)
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.conn.Query(ctx, eventsByIDQuery(s.db, len(ids)), args...)
	if err != nil {
		return nil, fmt.Errorf("reading %d events by id: %w", len(ids), err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r                  EventRecord
			source             string
			t, received        time.Time
			timeMs             uint64
			hasValue           uint8
			value              float64
			cell, cell7, cell5 uint64
		)
		if err := rows.Scan(&r.ID, &source, &r.Type, &r.Text, &r.Lat, &r.Lon, &t, &timeMs, &received,
			&value, &hasValue, &r.Unit, &r.DeviceID, &r.IncidentID, &cell, &cell7, &cell5,
			&r.AreaID, &r.DistrictID, &r.Category, &r.DepartmentID); err != nil {
			return nil, fmt.Errorf("reading events by id: %w", err)
		}
		if _, seen := out[r.ID]; seen {
			continue
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
		out[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading events by id: %w", err)
	}
	return out, nil
}

// eventsByIDQuery reads n ids, each bound on the client as its own '?'.
func eventsByIDQuery(db string, n int) string {
	return "SELECT " + strings.Join(eventColumns, ", ") + " FROM " + db + ".events FINAL WHERE id IN (" +
		strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ") ORDER BY id, received, time_ms"
}
