package replay

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Mapping says which CSV columns hold a request's fields. One mapping file
// drives `cityops replay`, `cityops pack learn` and `cityops pack eval`:
// replay uses the event's fields (id, times, type, text, location), learn and
// eval also the department that handled the request and the area the city
// recorded. Keys a command does not use are accepted and ignored by it;
// keys no command knows are an error. docs/onboarding.md describes each key.
type Mapping struct {
	City       string   `yaml:"city"`        // the city's name; names the learned pack
	ID         string   `yaml:"id"`          // unique key of the row
	IDPrefix   string   `yaml:"id_prefix"`   // prepended to the key to make the event id
	Created    string   `yaml:"created"`     // when the request was made
	Closed     string   `yaml:"closed"`      // when it was closed, optional
	TimeLayout string   `yaml:"time_layout"` // layout of both times: strftime (%Y-%m-%d) or Go's (2006-01-02); RFC 3339 when empty
	TimeZone   string   `yaml:"time_zone"`   // zone of times without one, e.g. America/New_York
	Type       string   `yaml:"type"`        // the request type
	Descriptor string   `yaml:"descriptor"`  // its sub-type, optional
	Text       []string `yaml:"text"`        // columns joined into the free text
	Lat        string   `yaml:"lat"`
	Lon        string   `yaml:"lon"`
	Address    string   `yaml:"address"`     // the incident's street address, optional
	Agency     string   `yaml:"agency"`      // the department that handled the request (learn, eval)
	AgencyName string   `yaml:"agency_name"` // the department's name, optional
	Area       string   `yaml:"area"`        // the area the city recorded (learn, eval)
	AreaFormat string   `yaml:"area_format"` // plain (the area id itself) or nyc-board ("07 MANHATTAN" -> 107)

	loc *time.Location
}

// Keys lists the keys a mapping file may have, in the order of Mapping.
func Keys() []string {
	t := reflect.TypeFor[Mapping]()
	var keys []string
	for i := range t.NumField() {
		if k := t.Field(i).Tag.Get("yaml"); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// NYC311 is the layout of NYC's 311 service requests.
var NYC311 = Mapping{
	City: "New York City", ID: "unique_key", IDPrefix: "nyc311-", Created: "created_date", Closed: "closed_date",
	TimeLayout: "2006-01-02T15:04:05", TimeZone: "America/New_York",
	Type: "complaint_type", Descriptor: "descriptor", Text: []string{"complaint_type", "descriptor"}, Lat: "latitude", Lon: "longitude",
	Address: "incident_address", Agency: "agency", AgencyName: "agency_name", Area: "community_board", AreaFormat: "nyc-board",
}

// Formats are the built-in mappings by name.
var Formats = map[string]Mapping{"nyc311": NYC311}

// ParseMapping reads a mapping file (YAML). An unknown key is an error that
// names it, its line and the keys there are; a value of the wrong kind is
// an error with its line. A strftime time_layout is turned into Go's.
func ParseMapping(b []byte) (Mapping, error) {
	var m Mapping
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return m, fmt.Errorf("mapping: %w", err)
	}
	if len(doc.Content) == 0 {
		return m, errors.New("mapping: the file is empty")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return m, fmt.Errorf("mapping: line %d: want key: value pairs", root.Line)
	}
	keys := Keys()
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if !slices.Contains(keys, k.Value) {
			return m, fmt.Errorf("mapping: line %d: unknown key %q (valid keys: %s)", k.Line, k.Value, strings.Join(keys, ", "))
		}
	}
	if err := root.Decode(&m); err != nil {
		return m, fmt.Errorf("mapping: %w", err)
	}
	if m.TimeLayout != "" {
		layout, err := GoLayout(m.TimeLayout)
		if err != nil {
			return m, fmt.Errorf("mapping: line %d: time_layout: %w", valueLine(root, "time_layout"), err)
		}
		m.TimeLayout = layout
	}
	switch m.AreaFormat {
	case "", "plain", "nyc-board":
	default:
		return m, fmt.Errorf("mapping: line %d: area_format: %q is not plain or nyc-board", valueLine(root, "area_format"), m.AreaFormat)
	}
	return m, nil
}

func valueLine(root *yaml.Node, key string) int {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			return root.Content[i+1].Line
		}
	}
	return 0
}

// strftime are the strftime directives GoLayout knows, with Go's layout for each.
var strftime = map[byte]string{
	'Y': "2006", 'y': "06", 'm': "01", 'd': "02", 'e': "_2", 'H': "15", 'I': "03", 'M': "04", 'S': "05",
	'f': "000000", 'p': "PM", 'b': "Jan", 'h': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday", 'j': "002",
	'z': "-0700", 'Z': "MST", 'F': "2006-01-02", 'T': "15:04:05", '%': "%",
}

// GoLayout returns a time layout in Go's form. A layout with a % is read as
// strftime (%Y-%m-%d %H:%M:%S, %d/%m/%Y %I:%M:%S %p; %f is the fraction
// of a second after %S and a dot); any other is taken to be Go's already,
// written as the reference time Mon Jan 2 15:04:05 MST 2006
// (2006-01-02 15:04:05).
func GoLayout(s string) (string, error) {
	if !strings.Contains(s, "%") {
		if !strings.Contains(s, "2006") && !strings.Contains(s, "06") && !strings.Contains(s, "15") && !strings.Contains(s, "01") {
			return "", fmt.Errorf("%q is neither a strftime layout (%%Y-%%m-%%d %%H:%%M:%%S) nor a Go one (2006-01-02 15:04:05)", s)
		}
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			return "", fmt.Errorf("%q ends in a lone %%", s)
		}
		i++
		g, ok := strftime[s[i]]
		if !ok {
			return "", fmt.Errorf("%q: %%%c is not a directive cityops knows (it knows %%Y %%y %%m %%d %%e %%H %%I %%M %%S %%f %%p %%b %%B %%a %%A %%j %%z %%Z %%F %%T %%%%)", s, s[i])
		}
		b.WriteString(g)
	}
	return b.String(), nil
}

// check fills defaults and checks that the mapping names what replay needs.
func (m *Mapping) check() error {
	for _, f := range []struct{ name, col string }{{"id", m.ID}, {"created", m.Created}, {"type", m.Type}, {"lat", m.Lat}, {"lon", m.Lon}} {
		if f.col == "" {
			return fmt.Errorf("mapping: %s: required by replay", f.name)
		}
	}
	if m.TimeLayout == "" {
		m.TimeLayout = time.RFC3339
	}
	if len(m.Text) == 0 {
		m.Text = []string{m.Type}
		if m.Descriptor != "" {
			m.Text = append(m.Text, m.Descriptor)
		}
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
