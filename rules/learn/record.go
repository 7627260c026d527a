package learn

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Record is one historical request.
type Record struct {
	ID         string
	Type       string // the request type (NYC: complaint_type)
	Descriptor string // its sub-type, optional
	Agency     string // the department that handled it
	AgencyName string
	Lat, Lon   float64
	HasLoc     bool
	Area       string // the area the city recorded, as an area id; empty when unspecified
	Address    string // the incident's street address ("453 JEFFERSON AVENUE"), optional
	Created    time.Time
	Closed     time.Time // zero while open
}

// Mapping names the CSV columns that hold a Record's fields, so that any
// city's export can be learned from.
type Mapping struct {
	ID         string `yaml:"id"`
	Type       string `yaml:"type"`
	Descriptor string `yaml:"descriptor"`
	Agency     string `yaml:"agency"`
	AgencyName string `yaml:"agency_name"`
	Lat        string `yaml:"lat"`
	Lon        string `yaml:"lon"`
	Area       string `yaml:"area"`
	Address    string `yaml:"address"`
	Created    string `yaml:"created"`
	Closed     string `yaml:"closed"`
	TimeLayout string `yaml:"time_layout"` // Go layout of the times
	TimeZone   string `yaml:"time_zone"`   // of the times, and of the learned pack
	// AreaFormat says how the area column names an area: "plain" (the area
	// id itself) or "nyc-board" ("07 MANHATTAN" -> BoroCD 107).
	AreaFormat string `yaml:"area_format"`
}

// NYC311 is the mapping of NYC Open Data's 311 service requests.
var NYC311 = Mapping{
	ID: "unique_key", Type: "complaint_type", Descriptor: "descriptor", Agency: "agency", AgencyName: "agency_name",
	Lat: "latitude", Lon: "longitude", Area: "community_board", Address: "incident_address", Created: "created_date", Closed: "closed_date",
	TimeLayout: "2006-01-02T15:04:05", TimeZone: "America/New_York", AreaFormat: "nyc-board",
}

// Formats are the built-in mappings by name.
var Formats = map[string]Mapping{"nyc311": NYC311}

// LoadMapping reads a mapping file (YAML with Mapping's fields).
func LoadMapping(path string) (Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Mapping{}, fmt.Errorf("reading mapping: %w", err)
	}
	m := Mapping{AreaFormat: "plain", TimeLayout: time.RFC3339, TimeZone: "UTC"}
	if err := yaml.Unmarshal(b, &m); err != nil {
		return Mapping{}, fmt.Errorf("decoding mapping %s: %w", path, err)
	}
	if m.Type == "" || m.Agency == "" {
		return Mapping{}, fmt.Errorf("mapping %s: type and agency columns are required", path)
	}
	return m, nil
}

// ReadCSV reads records from a CSV file with a header row, by m. Rows
// without a type or an agency are skipped; a malformed row fails the read
// with its line.
func ReadCSV(r io.Reader, m Mapping) ([]Record, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	idx := func(name string) (int, error) {
		if name == "" {
			return -1, nil
		}
		i, ok := col[name]
		if !ok {
			return -1, fmt.Errorf("no column %q in the header", name)
		}
		return i, nil
	}
	var cols [11]int
	for i, name := range []string{m.ID, m.Type, m.Descriptor, m.Agency, m.AgencyName, m.Lat, m.Lon, m.Area, m.Created, m.Closed, m.Address} {
		if cols[i], err = idx(name); err != nil {
			return nil, err
		}
	}
	loc, err := time.LoadLocation(m.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("mapping time zone: %w", err)
	}
	var out []Record
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading requests: %w", err)
		}
		get := func(i int) string {
			if cols[i] < 0 || cols[i] >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[cols[i]])
		}
		rec := Record{ID: get(0), Type: get(1), Descriptor: get(2), Agency: get(3), AgencyName: get(4)}
		if rec.Type == "" || rec.Agency == "" {
			continue
		}
		if lat, lon := get(5), get(6); lat != "" && lon != "" {
			if rec.Lat, err = strconv.ParseFloat(lat, 64); err == nil {
				rec.Lon, err = strconv.ParseFloat(lon, 64)
			}
			if err != nil {
				return nil, fmt.Errorf("line %d: location %q %q: %w", line, lat, lon, err)
			}
			rec.HasLoc = true
		}
		rec.Area = areaID(get(7), m.AreaFormat)
		rec.Address = strings.ToUpper(strings.Join(strings.Fields(get(10)), " "))
		if s := get(8); s != "" {
			if rec.Created, err = time.ParseInLocation(m.TimeLayout, s, loc); err != nil {
				return nil, fmt.Errorf("line %d: created: %w", line, err)
			}
		}
		if s := get(9); s != "" {
			if rec.Closed, err = time.ParseInLocation(m.TimeLayout, s, loc); err != nil {
				return nil, fmt.Errorf("line %d: closed: %w", line, err)
			}
		}
		out = append(out, rec)
	}
}

var nycBoroughs = map[string]int{"MANHATTAN": 1, "BRONX": 2, "BROOKLYN": 3, "QUEENS": 4, "STATEN ISLAND": 5}

// areaID turns the area column into an area id. NYC boards ("07 MANHATTAN")
// become BoroCD numbers ("107"); "Unspecified" and "0 ..." boards are
// unspecified ("").
func areaID(s, format string) string {
	if format != "nyc-board" {
		return s
	}
	num, boro, ok := strings.Cut(s, " ")
	n, err := strconv.Atoi(num)
	b := nycBoroughs[boro]
	if !ok || err != nil || n <= 0 || b == 0 {
		return ""
	}
	return strconv.Itoa(b*100 + n)
}
