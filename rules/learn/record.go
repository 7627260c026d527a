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

	"github.com/cityops/cityops/ingest/replay"
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
// city's export can be learned from. It is the mapping file replay reads
// (replay.Mapping): one file for replay, learn and eval.
type Mapping = replay.Mapping

// NYC311 is the mapping of NYC Open Data's 311 service requests.
var NYC311 = replay.NYC311

// Formats are the built-in mappings by name.
var Formats = replay.Formats

// LoadMapping reads a mapping file (see replay.ParseMapping), and checks
// that it names what learning needs: the type and agency columns.
func LoadMapping(path string) (Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Mapping{}, fmt.Errorf("reading mapping: %w", err)
	}
	m, err := replay.ParseMapping(b)
	if err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	for _, k := range []struct{ key, col string }{{"type", m.Type}, {"agency", m.Agency}} {
		if k.col == "" {
			return Mapping{}, fmt.Errorf("%s: mapping: %s: required to learn or evaluate (the column of the %s)", path, k.key,
				map[string]string{"type": "request type", "agency": "department that handled the request"}[k.key])
		}
	}
	return m, nil
}

// ReadCSV reads records from a CSV file with a header row, by m. Rows
// without a type or an agency are skipped; a malformed row fails the read
// with its line.
func ReadCSV(r io.Reader, m Mapping) ([]Record, error) {
	recs, _, err := readCSV(r, m, false)
	return recs, err
}

// ReadCSVSkipping reads records as ReadCSV does, but skips a malformed row
// (a time that does not match the layout, a location that is not a number,
// a row with too few columns) instead of failing, and returns what was
// wrong with each, with its line: a city's export seldom is clean, and
// one bad row in a million should not stop the onboarding.
func ReadCSVSkipping(r io.Reader, m Mapping) ([]Record, []string, error) {
	return readCSV(r, m, true)
}

func readCSV(r io.Reader, m Mapping, skip bool) (out []Record, skipped []string, err error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("reading header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	idx := func(key, name string) (int, error) {
		if name == "" {
			return -1, nil
		}
		i, ok := col[name]
		if !ok {
			return -1, fmt.Errorf("mapping key %s: no column %q in the header (it has: %s)", key, name, strings.Join(head, ", "))
		}
		return i, nil
	}
	var cols [11]int
	for i, k := range [][2]string{{"id", m.ID}, {"type", m.Type}, {"descriptor", m.Descriptor}, {"agency", m.Agency}, {"agency_name", m.AgencyName},
		{"lat", m.Lat}, {"lon", m.Lon}, {"area", m.Area}, {"created", m.Created}, {"closed", m.Closed}, {"address", m.Address}} {
		if cols[i], err = idx(k[0], k[1]); err != nil {
			return nil, nil, err
		}
	}
	layout := cmpOr(m.TimeLayout, time.RFC3339)
	loc, err := time.LoadLocation(m.TimeZone)
	if err != nil {
		return nil, nil, fmt.Errorf("mapping time zone: %w", err)
	}
	bad := func(line int, format string, a ...any) error {
		err := fmt.Errorf("line %d: "+format, append([]any{line}, a...)...)
		if skip {
			skipped = append(skipped, err.Error())
			return nil
		}
		return err
	}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, skipped, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if skip && errors.As(err, &pe) {
				skipped = append(skipped, fmt.Sprintf("line %d: %v", pe.StartLine, pe.Err))
				continue
			}
			return nil, nil, fmt.Errorf("reading requests: %w", err)
		}
		line, _ := cr.FieldPos(0) // a record read without error has a field
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
				if err := bad(line, "location %q %q: %w", lat, lon, err); err != nil {
					return nil, nil, err
				}
				continue
			}
			rec.HasLoc = true
		}
		rec.Area = areaID(get(7), m.AreaFormat)
		rec.Address = strings.ToUpper(strings.Join(strings.Fields(get(10)), " "))
		if s := get(8); s != "" {
			if rec.Created, err = time.ParseInLocation(layout, s, loc); err != nil {
				if err := bad(line, "created: %w (time_layout %s)", err, layout); err != nil {
					return nil, nil, err
				}
				continue
			}
		}
		if s := get(9); s != "" {
			if rec.Closed, err = time.ParseInLocation(layout, s, loc); err != nil {
				if err := bad(line, "closed: %w (time_layout %s)", err, layout); err != nil {
					return nil, nil, err
				}
				continue
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
