package process

import (
	"fmt"
	"slices"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
)

// Processor classifies, places and assigns events. It is safe for concurrent
// use: everything it holds is read-only after New.
type Processor struct {
	pack       *rules.Pack
	areas      *geo.Index
	matrix     *Assigner
	categories map[string]cityops.Category
}

// New returns a processor for the city described by pack.
func New(pack *rules.Pack) (*Processor, error) {
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return nil, fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
	}
	cats := make(map[string]cityops.Category, len(pack.Categories))
	for _, c := range pack.Categories {
		cats[c.Code] = c
	}
	return &Processor{pack: pack, areas: areas, matrix: NewAssigner(pack.Matrix), categories: cats}, nil
}

// Areas returns the processor's area index.
func (p *Processor) Areas() *geo.Index { return p.areas }

// Process decides what ev is. It returns the change that creates ev's
// incident, or ok=false when ev needs no incident (a sensor reading that
// crosses no threshold). A hotline report that no rule classifies still
// becomes an incident: it stays "reported", owned by the default department
// (the operations center), until a person registers it.
func (p *Processor) Process(ev *cityops.Event) (c cityops.Change, ok bool, err error) {
	cells, err := geo.CellsOf(ev.Lat, ev.Lon)
	if err != nil {
		return c, false, fmt.Errorf("processing event %s: %w", ev.ID, err)
	}
	area := p.place(ev.Lat, ev.Lon)
	district, _ := p.areas.Ancestor(area, cityops.LevelDistrict)

	in := rules.NewInput(ev, p.pack)
	in.Area, in.District, in.Cell = area, district, uint64(cells.Cell)
	d := p.pack.Classify(in)
	if d.Category == "" && ev.Source == cityops.SourceIoT {
		return c, false, nil
	}

	inc := cityops.Incident{
		ID:         IncidentID(ev.ID),
		EventID:    ev.ID,
		Source:     ev.Source,
		Type:       ev.Type,
		Text:       ev.Text,
		Category:   d.Category,
		Severity:   d.Severity,
		Lat:        ev.Lat,
		Lon:        ev.Lon,
		Cell:       cells.Cell,
		Cell7:      cells.Cell7,
		Cell5:      cells.Cell5,
		AreaID:     area,
		DistrictID: district,
		Rules:      d.Matched,
		Reported:   ev.Time,
		Updated:    ev.Received,
		Version:    1,
	}
	if inc.Updated.IsZero() {
		inc.Updated = ev.Time
	}
	p.assign(&inc)
	return cityops.Change{Kind: cityops.ChangeCreated, Incident: inc, Event: ev}, true, nil
}

// assign names the incident's category, severity, status, department and
// deadline from its category code and area. An incident of no known
// category stays "reported", owned by the default department.
func (p *Processor) assign(inc *cityops.Incident) {
	cat, known := p.categories[inc.Category]
	if !known {
		inc.Status = cityops.StatusReported
		inc.DepartmentID = p.matrix.Default()
		inc.Severity = max(inc.Severity, 1)
		return
	}
	inc.CategoryName = cat.Name
	if inc.Severity == 0 {
		inc.Severity = max(cat.Severity, 1)
	}
	inc.Status = cityops.StatusDispatched
	lead, coop := p.matrix.Assign(inc.Category, inc.AreaID, inc.DistrictID)
	inc.DepartmentID, inc.Cooperating = lead, slices.Clone(coop)
	if cat.DeadlineHours > 0 {
		inc.Deadline = inc.Updated.Add(time.Duration(cat.DeadlineHours) * time.Hour)
	}
}

// place returns the area of a point: the pack's learned boundary
// tie-breaks decide near a boundary where the city's own records do, the
// geometry everywhere else (and when the pack has none).
func (p *Processor) place(lat, lon float64) string {
	area, _ := p.pack.Tiebreaks.Place(p.areas, lat, lon, rules.Site{})
	return area
}

// IncidentID returns the id of the incident an event raises. It is derived
// from the event's id, so processing the same event twice yields the same
// incident, and the idempotent sinks keep one.
func IncidentID(eventID string) string { return "INC-" + eventID }
