package web

import (
	"math"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
)

// entry is an open incident as the hub keeps it: its wire JSON and what
// subscriptions and counters look at.
type entry struct {
	version    uint64
	wire       []byte // wire JSON, shared read-only with snapshots
	lat, lon   float64
	cell       [3]cityops.Cell // resolutions 5, 7, 9; 0 when it has none
	centre     [2][2]float64   // [lat, lon] of the centres of the cells at resolutions 5 and 7; NaN when there is no cell
	category   string
	department string
	status     cityops.Status
	source     cityops.Source
	deadline   time.Time

	// Kept by the hub's openCounts, under its lock.
	late  bool // counted overdue
	dueAt int  // index in the deadlines heap, or -1
}

// newEntry returns the entry of inc, whose resolution-9 cell is cell (0 when
// it has none) and wire JSON wire.
func newEntry(inc *cityops.Incident, cell cityops.Cell, wire []byte) entry {
	e := entry{
		version: inc.Version, wire: wire, lat: inc.Lat, lon: inc.Lon,
		category: inc.Category, department: inc.DepartmentID, status: inc.Status,
		source: inc.Source, deadline: inc.Deadline, dueAt: -1,
	}
	e.centre = noCentres
	if cell != 0 {
		e.cell = [3]cityops.Cell{geo.Parent(cell, cityops.ResCity), geo.Parent(cell, cityops.ResDistrict), cell}
	}
	return e
}

// noCentres are the centres of an entry without cells: inside no bbox.
var noCentres = [2][2]float64{{math.NaN(), math.NaN()}, {math.NaN(), math.NaN()}}

// centreAt returns the centre of the entry's cell at resolution res (5 or
// 7), as lat and lon; NaN, inside no bbox, when it is not known.
func (e *entry) centreAt(res int) (lat, lon float64) {
	switch res {
	case cityops.ResCity:
		return e.centre[0][0], e.centre[0][1]
	case cityops.ResDistrict:
		return e.centre[1][0], e.centre[1][1]
	}
	return math.NaN(), math.NaN()
}

// cellAt returns the entry's cell at resolution res (5, 7 or 9).
func (e *entry) cellAt(res int) cityops.Cell {
	switch res {
	case cityops.ResCity:
		return e.cell[0]
	case cityops.ResDistrict:
		return e.cell[1]
	}
	return e.cell[2]
}

// overdue reports whether the entry's deadline is set and before now.
func (e *entry) overdue(now time.Time) bool { return !e.deadline.IsZero() && e.deadline.Before(now) }
