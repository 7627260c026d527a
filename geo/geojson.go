package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/cityops/cityops"
)

// point is a WGS-84 position as GeoJSON orders it: x is the longitude, y the
// latitude.
type point struct{ x, y float64 }

// polygon is an outer ring followed by its holes. Rings are stored open: the
// closing position that repeats the first is dropped.
type polygon [][]point

// feature is one area as read from the collection, before the index is built.
type feature struct {
	area  cityops.Area
	polys []polygon
}

type featureCollection struct {
	Type     string            `json:"type"`
	Features []json.RawMessage `json:"features"`
}

type geoFeature struct {
	Type       string                     `json:"type"`
	Properties map[string]json.RawMessage `json:"properties"`
	Geometry   *geometry                  `json:"geometry"`
}

type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// readFeatures decodes a FeatureCollection into features, converting
// coordinates to WGS-84. Errors name the feature by its index in the
// collection and the member at fault.
func readFeatures(data []byte, opt Options) ([]feature, error) {
	var fc featureCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, fmt.Errorf("decoding GeoJSON: %w: %w", cityops.ErrInvalid, err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, cityops.Invalid("type", "got %q, want \"FeatureCollection\"", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, cityops.Invalid("features", "no features")
	}
	out := make([]feature, len(fc.Features))
	for i, raw := range fc.Features {
		f, err := readFeature(raw, i, opt)
		if err != nil {
			return nil, fmt.Errorf("reading feature %d: %w", i, err)
		}
		out[i] = f
	}
	return out, nil
}

func readFeature(raw json.RawMessage, i int, opt Options) (feature, error) {
	field := func(name string) string { return fmt.Sprintf("features[%d].%s", i, name) }
	var gf geoFeature
	if err := json.Unmarshal(raw, &gf); err != nil {
		return feature{}, fmt.Errorf("decoding: %w: %w", cityops.ErrInvalid, err)
	}
	if gf.Type != "Feature" {
		return feature{}, cityops.Invalid(field("type"), "got %q, want \"Feature\"", gf.Type)
	}
	prop := func(name string) (string, error) {
		s, err := propString(gf.Properties[name])
		if err != nil {
			return "", cityops.Invalid(field("properties."+name), "%v", err)
		}
		return s, nil
	}
	var a cityops.Area
	var err error
	if a.ID, err = prop(opt.IDProp); err != nil {
		return feature{}, err
	}
	if a.ID == "" {
		return feature{}, cityops.Invalid(field("properties."+opt.IDProp), "missing area id")
	}
	if a.Name, err = prop(opt.NameProp); err != nil {
		return feature{}, err
	}
	if a.Name == "" {
		a.Name = a.ID
	}
	if a.NameEN, err = prop(opt.NameENProp); err != nil {
		return feature{}, err
	}
	if a.ParentID, err = prop(opt.ParentProp); err != nil {
		return feature{}, err
	}
	level, err := prop(opt.LevelProp)
	if err != nil {
		return feature{}, err
	}
	a.Level = opt.Level
	if level != "" {
		a.Level = cityops.AreaLevel(level)
		if levelRank(a.Level) < 0 {
			return feature{}, cityops.Invalid(field("properties."+opt.LevelProp), "unknown level %q (want city, district, street or grid)", level)
		}
	}
	if gf.Geometry == nil {
		return feature{}, cityops.Invalid(field("geometry"), "missing")
	}
	polys, err := readGeometry(gf.Geometry, opt.CRS == CRSGCJ02)
	if err != nil {
		return feature{}, cityops.Invalid(field("geometry"), "%v", err)
	}
	return feature{area: a, polys: polys}, nil
}

// propString returns a property as text: strings as they are, numbers in
// their shortest decimal form (107, 107.0 and 1.07e2 are all "107"), null or
// missing as "".
func propString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return strconv.FormatInt(n, 10), nil
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return "", fmt.Errorf("bad number %s", raw)
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return strconv.FormatInt(int64(f), 10), nil
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("got %s, want a string or a number", raw)
}

// readGeometry decodes a Polygon or MultiPolygon. With gcj set, positions are
// GCJ-02 and converted to WGS-84.
func readGeometry(g *geometry, gcj bool) ([]polygon, error) {
	var raw [][][][]float64
	switch g.Type {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, fmt.Errorf("decoding Polygon coordinates: %w", err)
		}
		raw = [][][][]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &raw); err != nil {
			return nil, fmt.Errorf("decoding MultiPolygon coordinates: %w", err)
		}
	default:
		return nil, fmt.Errorf("type %q: want Polygon or MultiPolygon", g.Type)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("no polygons")
	}
	polys := make([]polygon, len(raw))
	for pi, rp := range raw {
		if len(rp) == 0 {
			return nil, fmt.Errorf("polygon %d has no rings", pi)
		}
		poly := make(polygon, len(rp))
		for ri, rr := range rp {
			ring, err := readRing(rr, gcj)
			if err != nil {
				return nil, fmt.Errorf("polygon %d ring %d: %w", pi, ri, err)
			}
			poly[ri] = ring
		}
		polys[pi] = poly
	}
	return polys, nil
}

// readRing checks and converts one linear ring. A ring must have at least
// three distinct positions; whether the last repeats the first is not
// checked, as ray casting closes the ring either way.
func readRing(rr [][]float64, gcj bool) ([]point, error) {
	ring := make([]point, 0, len(rr))
	for k, pos := range rr {
		if len(pos) < 2 {
			return nil, fmt.Errorf("position %d: want [lon, lat], got %d numbers", k, len(pos))
		}
		lon, lat := pos[0], pos[1]
		if !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
			return nil, fmt.Errorf("position %d: [%g, %g] is not a [lon, lat] in range", k, lon, lat)
		}
		if gcj {
			lat, lon = GCJ02ToWGS84(lat, lon)
		}
		ring = append(ring, point{lon, lat})
	}
	if n := len(ring); n > 1 && ring[0] == ring[n-1] {
		ring = ring[:n-1]
	}
	distinct := 0
	for k := range ring {
		if k == 0 || ring[k] != ring[k-1] {
			distinct++
		}
	}
	if distinct < 3 {
		return nil, fmt.Errorf("%d distinct positions, want at least 3", distinct)
	}
	return ring, nil
}
