package web

import (
	"encoding/json"
	"fmt"

	"github.com/cityops/cityops"
)

// cityView is the body of GET /api/v1/city: what a map needs to draw the
// city and to name what it shows. Every key is always present.
type cityView struct {
	Name        string             `json:"name"`
	NameEN      string             `json:"name_en"`
	TimeZone    string             `json:"time_zone"`
	Center      [2]float64         `json:"center"` // [lat, lon]
	BBox        [4]float64         `json:"bbox"`   // [min lon, min lat, max lon, max lat]
	Areas       []areaView         `json:"areas"`
	Departments []departmentView   `json:"departments"`
	Categories  []cityops.Category `json:"categories"`
	Devices     []cityops.Device   `json:"devices"`
	Alarms      []Alarm            `json:"alarms"`
}

// Alarm is one sensor alarm of the pack: what it watches and, for a chart,
// the values it raises and clears at (nil where its expression has no plain
// limit, e.g. a rate alarm). Offline alarms give the silence that raises
// them, in seconds.
type Alarm struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"` // threshold or offline
	Types    []string `json:"types"`
	Raise    string   `json:"raise,omitempty"` // the expressions, as written
	Clear    string   `json:"clear,omitempty"`
	RaiseAt  *float64 `json:"raise_at"`
	ClearAt  *float64 `json:"clear_at"`
	AfterS   int      `json:"after_s,omitempty"`
	Severity int      `json:"severity"`
	Category string   `json:"category"`
}

type areaView struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	NameEN   string            `json:"name_en"`
	Level    cityops.AreaLevel `json:"level"`
	ParentID string            `json:"parent_id"`
}

type departmentView struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// encodeCity returns the JSON body of GET /api/v1/city.
func encodeCity(c cityops.City, devices []cityops.Device, alarms []Alarm) ([]byte, error) {
	v := cityView{
		Name:        c.Name,
		NameEN:      c.NameEN,
		TimeZone:    c.TimeZone,
		Center:      c.Center,
		BBox:        c.BBox,
		Areas:       make([]areaView, 0, len(c.Areas)),
		Departments: make([]departmentView, 0, len(c.Departments)),
		Categories:  c.Categories,
		Devices:     devices,
		Alarms:      alarms,
	}
	if v.Devices == nil {
		v.Devices = []cityops.Device{}
	}
	if v.Alarms == nil {
		v.Alarms = []Alarm{}
	}
	if v.Categories == nil {
		v.Categories = []cityops.Category{}
	}
	for _, a := range c.Areas {
		v.Areas = append(v.Areas, areaView(a))
	}
	for _, d := range c.Departments {
		v.Departments = append(v.Departments, departmentView(d))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding the city: %w", err)
	}
	return b, nil
}
