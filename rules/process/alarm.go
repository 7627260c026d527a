package process

import (
	"fmt"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
)

// AlarmIncident returns the incident a raised alarm starts: its id is the
// alarm's (so raising it again yields the same incident), its category and
// severity are the alarm definition's, and it is placed and assigned like an
// event at the alarm's location.
func (p *Processor) AlarmIncident(al *rules.Alarm) (cityops.Incident, error) {
	cells, err := geo.CellsOf(al.Lat, al.Lon)
	if err != nil {
		return cityops.Incident{}, fmt.Errorf("placing alarm %s: %w", al.ID, err)
	}
	area := p.place(al.Lat, al.Lon)
	district, _ := p.areas.Ancestor(area, cityops.LevelDistrict)
	inc := cityops.Incident{
		ID:         al.ID,
		EventID:    al.ID,
		Source:     cityops.SourceIoT,
		Type:       al.Type,
		Category:   al.Category,
		Severity:   al.Severity,
		Lat:        al.Lat,
		Lon:        al.Lon,
		Cell:       cells.Cell,
		Cell7:      cells.Cell7,
		Cell5:      cells.Cell5,
		AreaID:     area,
		DistrictID: district,
		Rules:      []string{"alarm:" + al.Type},
		Reported:   al.Raised,
		Updated:    al.Raised,
		Version:    1,
		Signals:    []string{al.ID},
		LastSignal: al.Updated,
	}
	p.assign(&inc)
	return inc, nil
}
