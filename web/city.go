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
func encodeCity(c cityops.City) ([]byte, error) {
	v := cityView{
		Name:        c.Name,
		NameEN:      c.NameEN,
		TimeZone:    c.TimeZone,
		Center:      c.Center,
		BBox:        c.BBox,
		Areas:       make([]areaView, 0, len(c.Areas)),
		Departments: make([]departmentView, 0, len(c.Departments)),
		Categories:  c.Categories,
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
