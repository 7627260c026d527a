package replay

import (
	"bytes"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// Mapping says which CSV columns hold an event's fields.
type Mapping struct {
	ID         string   `yaml:"id"`          // unique key of the row
	IDPrefix   string   `yaml:"id_prefix"`   // prepended to the key to make the event id
	Created    string   `yaml:"created"`     // when the request was made
	Closed     string   `yaml:"closed"`      // when it was closed, optional
	TimeLayout string   `yaml:"time_layout"` // Go layout of both times; RFC 3339 when empty
	TimeZone   string   `yaml:"time_zone"`   // zone of times without one, e.g. America/New_York
	Type       string   `yaml:"type"`        // the request type
	Text       []string `yaml:"text"`        // columns joined into the free text
	Lat        string   `yaml:"lat"`
	Lon        string   `yaml:"lon"`

	loc *time.Location
}

// NYC311 is the layout of NYC's 311 service requests.
var NYC311 = Mapping{
	ID: "unique_key", IDPrefix: "nyc311-", Created: "created_date", Closed: "closed_date",
	TimeLayout: "2006-01-02T15:04:05", TimeZone: "America/New_York",
	Type: "complaint_type", Text: []string{"complaint_type", "descriptor"}, Lat: "latitude", Lon: "longitude",
}

// Formats are the built-in mappings by name.
var Formats = map[string]Mapping{"nyc311": NYC311}

// ParseMapping reads a mapping file (YAML), rejecting unknown keys.
func ParseMapping(b []byte) (Mapping, error) {
	var m Mapping
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("decoding mapping: %w", err)
	}
	return m, nil
}

// check fills defaults and checks that the mapping names what it must.
func (m *Mapping) check() error {
	for name, col := range map[string]string{"id": m.ID, "created": m.Created, "type": m.Type, "lat": m.Lat, "lon": m.Lon} {
		if col == "" {
			return fmt.Errorf("mapping: %s: required", name)
		}
	}
	if m.TimeLayout == "" {
		m.TimeLayout = time.RFC3339
	}
	if len(m.Text) == 0 {
		m.Text = []string{m.Type}
	}
	m.loc = time.UTC
	if m.TimeZone != "" {
		loc, err := time.LoadLocation(m.TimeZone)
		if err != nil {
			return fmt.Errorf("mapping: time_zone: %w", err)
		}
		m.loc = loc
	}
	return nil
}
