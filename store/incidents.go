package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cityops/cityops"
)

// incidentColumns names the columns of incidents in the order
// incidentBatch.values gives them.
var incidentColumns = []string{
	"id", "event_id", "source", "type", "text", "category", "category_name", "severity",
	"status", "lat", "lon", "cell", "cell7", "cell5", "area_id", "district_id",
	"department_id", "rules", "reported", "updated", "deadline", "version",
	"report_count", "report_ids", "signals", "last_signal",
}

// incidentBatch holds the rows of one insert into incidents, column by column.
type incidentBatch struct {
	id, eventID, source, typ, text, category, categoryName []string
	severity                                               []uint8
	status                                                 []string
	lat, lon                                               []float64
	cell, cell7, cell5                                     []uint64
	areaID, districtID, departmentID                       []string
	rules                                                  [][]string
	reported, updated, deadline                            []time.Time
	version                                                []uint64
	reportCount                                            []uint32
	reportIDs, signals                                     [][]string
	lastSignal                                             []time.Time
}

// newIncidentBatch returns a batch with room for n rows in every column.
func newIncidentBatch(n int) *incidentBatch {
	return &incidentBatch{
		id: make([]string, 0, n), eventID: make([]string, 0, n), source: make([]string, 0, n), typ: make([]string, 0, n),
		text: make([]string, 0, n), category: make([]string, 0, n), categoryName: make([]string, 0, n),
		severity: make([]uint8, 0, n), status: make([]string, 0, n), lat: make([]float64, 0, n), lon: make([]float64, 0, n),
		cell: make([]uint64, 0, n), cell7: make([]uint64, 0, n), cell5: make([]uint64, 0, n),
		areaID: make([]string, 0, n), districtID: make([]string, 0, n), departmentID: make([]string, 0, n),
		rules: make([][]string, 0, n), reported: make([]time.Time, 0, n), updated: make([]time.Time, 0, n),
		deadline: make([]time.Time, 0, n), version: make([]uint64, 0, n),
		reportCount: make([]uint32, 0, n), reportIDs: make([][]string, 0, n), signals: make([][]string, 0, n),
		lastSignal: make([]time.Time, 0, n),
	}
}

func (b *incidentBatch) add(in *cityops.Incident) {
	b.id = append(b.id, in.ID)
	b.eventID = append(b.eventID, in.EventID)
	b.source = append(b.source, string(in.Source))
	b.typ = append(b.typ, in.Type)
	b.text = append(b.text, in.Text)
	b.category = append(b.category, in.Category)
	b.categoryName = append(b.categoryName, in.CategoryName)
	b.severity = append(b.severity, uint8(in.Severity))
	b.status = append(b.status, string(in.Status))
	b.lat = append(b.lat, in.Lat)
	b.lon = append(b.lon, in.Lon)
	b.cell = append(b.cell, uint64(in.Cell))
	b.cell7 = append(b.cell7, uint64(in.Cell7))
	b.cell5 = append(b.cell5, uint64(in.Cell5))
	b.areaID = append(b.areaID, in.AreaID)
	b.districtID = append(b.districtID, in.DistrictID)
	b.departmentID = append(b.departmentID, in.DepartmentID)
	rules := in.Rules
	if rules == nil {
		rules = []string{}
	}
	b.rules = append(b.rules, rules)
	b.reported = append(b.reported, dateTime(in.Reported))
	b.updated = append(b.updated, dateTime(in.Updated))
	b.deadline = append(b.deadline, dateTime(in.Deadline))
	b.version = append(b.version, in.Version)
	b.reportCount = append(b.reportCount, uint32(max(in.Reports, 0)))
	b.reportIDs = append(b.reportIDs, nonNil(in.ReportIDs))
	b.signals = append(b.signals, nonNil(in.Signals))
	b.lastSignal = append(b.lastSignal, dateTime(in.LastSignal))
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func (b *incidentBatch) values() []any {
	return []any{
		b.id, b.eventID, b.source, b.typ, b.text, b.category, b.categoryName, b.severity,
		b.status, b.lat, b.lon, b.cell, b.cell7, b.cell5, b.areaID, b.districtID,
		b.departmentID, b.rules, b.reported, b.updated, b.deadline, b.version,
		b.reportCount, b.reportIDs, b.signals, b.lastSignal,
	}
}

// insertIncidents inserts the latest state of each incident in changes: of
// several changes to one incident only the highest version (the last of equal
// ones) is sent, since the table keeps only that. Merged and cleared changes
// carry no whole state (the dispatcher's next update does): they add no row.
func (s *Store) insertIncidents(ctx context.Context, changes []cityops.Change) error {
	latest := make(map[string]int, len(changes))
	order := make([]string, 0, len(changes))
	for i := range changes {
		if k := changes[i].Kind; k == cityops.ChangeMerged || k == cityops.ChangeCleared {
			continue
		}
		in := &changes[i].Incident
		j, seen := latest[in.ID]
		if !seen {
			order = append(order, in.ID)
		}
		if !seen || in.Version >= changes[j].Incident.Version {
			latest[in.ID] = i
		}
	}
	if len(order) == 0 {
		return nil
	}
	b := newIncidentBatch(len(order))
	for _, id := range order {
		b.add(&changes[latest[id]].Incident)
	}
	return s.insertColumns(ctx, "incidents", incidentColumns, b.values())
}

// Incident returns the latest stored version of incident id, or an error
// matching cityops.ErrNotFound.
func (s *Store) Incident(ctx context.Context, id string) (cityops.Incident, error) {
	var (
		in                          cityops.Incident
		source, status              string
		severity                    uint8
		cell, cell7, cell5          uint64
		reported, updated, deadline time.Time
		reports                     uint32
		lastSignal                  time.Time
	)
	row := s.conn.QueryRow(ctx, incidentQuery(s.db), id)
	err := row.Scan(&in.ID, &in.EventID, &source, &in.Type, &in.Text, &in.Category, &in.CategoryName, &severity,
		&status, &in.Lat, &in.Lon, &cell, &cell7, &cell5, &in.AreaID, &in.DistrictID,
		&in.DepartmentID, &in.Rules, &reported, &updated, &deadline, &in.Version,
		&reports, &in.ReportIDs, &in.Signals, &lastSignal)
	if errors.Is(err, sql.ErrNoRows) {
		return cityops.Incident{}, fmt.Errorf("reading incident %q: %w", id, cityops.ErrNotFound)
	}
	if err != nil {
		return cityops.Incident{}, fmt.Errorf("reading incident %q: %w", id, err)
	}
	in.Source, in.Status, in.Severity = cityops.Source(source), cityops.Status(status), int(severity)
	in.Cell, in.Cell7, in.Cell5 = cityops.Cell(cell), cityops.Cell(cell7), cityops.Cell(cell5)
	in.Reported, in.Updated, in.Deadline = fromDateTime(reported), fromDateTime(updated), fromDateTime(deadline)
	in.Reports, in.LastSignal = int(reports), fromDateTime(lastSignal)
	for _, xs := range []*[]string{&in.Rules, &in.ReportIDs, &in.Signals} {
		if len(*xs) == 0 {
			*xs = nil
		}
	}
	return in, nil
}

// CountIncidents returns how many distinct incidents are stored.
func (s *Store) CountIncidents(ctx context.Context) (uint64, error) {
	var n uint64
	if err := s.conn.QueryRow(ctx, countIncidentsQuery(s.db)).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting incidents: %w", err)
	}
	return n, nil
}
