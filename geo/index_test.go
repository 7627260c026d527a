package geo

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cityops/cityops"
)

func loadHierarchy(t *testing.T) (*Index, []byte) {
	t.Helper()
	data, err := os.ReadFile("testdata/hierarchy.geojson")
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ix, data
}

func TestLocate(t *testing.T) {
	ix, _ := loadHierarchy(t)
	tests := []struct {
		name     string
		lat, lon float64
		want     string // "" for none
	}{
		{"street", 31.015, 121.015, "101"},
		{"street's hole falls to its district", 31.025, 121.025, "d1"},
		{"grid inside the street", 31.0375, 121.0375, "g1"},
		{"first polygon of a multipolygon", 31.015, 121.065, "s2"},
		{"second polygon of a multipolygon", 31.052, 121.085, "s2"},
		{"district only", 31.08, 121.08, "d2"},
		{"on the districts' shared edge: ray casting gives it to the east", 31.08, 121.05, "d2"},
		{"south-west corner of the city", 31.00, 121.00, "d1"},
		{"north edge is outside", 31.10, 121.02, ""},
		{"outside the city", 31.2, 121.0, ""},
		{"far away", -33.8688, 151.2093, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ix.Locate(tt.lat, tt.lon)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Locate(%v, %v) = %q, %v, want %q", tt.lat, tt.lon, got, ok, tt.want)
			}
		})
	}
}

// TestLocateAgreesWithBruteForce checks a lattice through every vertex
// coordinate, edge midpoint and the spaces between against ray casting.
func TestLocateAgreesWithBruteForce(t *testing.T) {
	ix, data := loadHierarchy(t)
	brute := loadBrute(t, data, "id")
	var xs, ys []float64
	for _, mp := range brute.polys {
		for _, poly := range mp {
			for _, ring := range poly {
				for i, p := range ring {
					q := ring[(i+1)%len(ring)]
					xs = append(xs, p[0], (p[0]+q[0])/2)
					ys = append(ys, p[1], (p[1]+q[1])/2)
				}
			}
		}
	}
	for i := range 50 {
		xs = append(xs, 120.99+float64(i)*0.0025)
		ys = append(ys, 30.99+float64(i)*0.0025)
	}
	slices.Sort(xs)
	slices.Sort(ys)
	xs, ys = slices.Compact(xs), slices.Compact(ys)
	for _, y := range ys {
		for _, x := range xs {
			got, gotOK := ix.Locate(y, x)
			want, wantOK := brute.locate(y, x)
			if got != want || gotOK != wantOK {
				t.Errorf("Locate(%v, %v) = %q, %v; brute force %q, %v", y, x, got, gotOK, want, wantOK)
			}
		}
	}
}

func TestAreas(t *testing.T) {
	ix, _ := loadHierarchy(t)
	var ids []string
	for _, a := range ix.Areas() {
		ids = append(ids, a.ID)
	}
	if want := []string{"sh", "d1", "d2", "101", "s2", "g1"}; !slices.Equal(ids, want) {
		t.Errorf("Areas ids %v, want %v", ids, want)
	}
	tests := []struct {
		id   string
		want cityops.Area
	}{
		{"sh", cityops.Area{ID: "sh", Name: "示范市", NameEN: "Demo City", Level: cityops.LevelCity}},
		{"d1", cityops.Area{ID: "d1", Name: "西区", NameEN: "West District", Level: cityops.LevelDistrict, ParentID: "sh"}},
		{"101", cityops.Area{ID: "101", Name: "环街道", Level: cityops.LevelStreet, ParentID: "d1"}},
		{"s2", cityops.Area{ID: "s2", Name: "两岛镇", Level: cityops.LevelStreet, ParentID: "d2"}},
		{"g1", cityops.Area{ID: "g1", Name: "一号网格", Level: cityops.LevelGrid, ParentID: "101"}},
	}
	for _, tt := range tests {
		if got, ok := ix.Area(tt.id); !ok || got != tt.want {
			t.Errorf("Area(%q) = %+v, %v, want %+v", tt.id, got, ok, tt.want)
		}
	}
	if _, ok := ix.Area("nope"); ok {
		t.Error(`Area("nope") found`)
	}
	if got, want := ix.BBox(), [4]float64{121.00, 31.00, 121.10, 31.10}; got != want {
		t.Errorf("BBox() = %v, want %v", got, want)
	}
	if got := ix.Center(); got[0] < 31.0499 || got[0] > 31.0501 || got[1] < 121.0499 || got[1] > 121.0501 {
		t.Errorf("Center() = %v, want [31.05 121.05]", got)
	}
}

func TestAncestor(t *testing.T) {
	ix, _ := loadHierarchy(t)
	tests := []struct {
		id    string
		level cityops.AreaLevel
		want  string // "" for none
	}{
		{"g1", cityops.LevelStreet, "101"},
		{"g1", cityops.LevelDistrict, "d1"},
		{"g1", cityops.LevelCity, "sh"},
		{"s2", cityops.LevelDistrict, "d2"},
		{"d1", cityops.LevelDistrict, "d1"},
		{"sh", cityops.LevelDistrict, ""},
		{"101", cityops.LevelGrid, ""},
		{"nope", cityops.LevelCity, ""},
	}
	for _, tt := range tests {
		got, ok := ix.Ancestor(tt.id, tt.level)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Ancestor(%q, %s) = %q, %v, want %q", tt.id, tt.level, got, ok, tt.want)
		}
	}
}

// TestBadInput loads every testdata/*.bad.geojson and checks its error.
func TestBadInput(t *testing.T) {
	expectedErrors := map[string]string{
		"syntax":          "loading areas: decoding GeoJSON: invalid input: unexpected end of JSON input",
		"not_collection":  `type: got "Feature", want "FeatureCollection"`,
		"empty":           "features: no features",
		"missing_id":      "reading feature 1: features[1].properties.id: missing area id",
		"duplicate_id":    `features[1].properties.id: duplicate id "7" (also features[0])`,
		"bool_id":         "features[0].properties.id: got true, want a string or a number",
		"unknown_parent":  `features[1].properties.parent: unknown parent "x"`,
		"parent_level":    `features[1].properties.parent: parent "s" is a street, not coarser than this district`,
		"bad_level":       `features[0].properties.level: unknown level "province"`,
		"point":           `features[0].geometry: type "Point": want Polygon or MultiPolygon`,
		"null_geometry":   "features[0].geometry: missing",
		"short_ring":      "features[0].geometry: polygon 0 ring 0: 2 distinct positions, want at least 3",
		"out_of_range":    "features[0].geometry: polygon 0 ring 0: position 0: [31, 121] is not a [lon, lat] in range",
		"bad_coordinates": "features[0].geometry: decoding MultiPolygon coordinates",
		"no_rings":        "features[0].geometry: polygon 0 has no rings",
	}
	files, err := filepath.Glob("testdata/*.bad.geojson")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(expectedErrors) {
		t.Errorf("%d bad files, %d expected errors", len(files), len(expectedErrors))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".bad.geojson")
		t.Run(name, func(t *testing.T) {
			want, ok := expectedErrors[name]
			if !ok {
				t.Fatalf("no expected error for %s", f)
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = NewIndex(data, Options{})
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("got %v, want an error containing %q", err, want)
			}
			if !errors.Is(err, cityops.ErrInvalid) {
				t.Errorf("%v does not match cityops.ErrInvalid", err)
			}
		})
	}
}

func TestBadOptions(t *testing.T) {
	data, err := os.ReadFile("testdata/hierarchy.geojson")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		opt  Options
		want string
	}{
		{Options{CRS: "BD-09"}, `CRS: unknown CRS "BD-09"`},
		{Options{Level: "province"}, `Level: unknown level "province"`},
	}
	for _, tt := range tests {
		_, err := NewIndex(data, tt.opt)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, cityops.ErrInvalid) {
			t.Errorf("NewIndex with %+v: got %v, want an invalid-input error containing %q", tt.opt, err, tt.want)
		}
	}
}

func TestNumericIDs(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`107`, "107"}, {`107.0`, "107"}, {`1.07e2`, "107"}, {`-3`, "-3"}, {`2.5`, "2.5"},
		{`"0107"`, "0107"}, {`null`, ""}, {``, ""},
	}
	for _, tt := range tests {
		if got, err := propString([]byte(tt.raw)); err != nil || got != tt.want {
			t.Errorf("propString(%s) = %q, %v, want %q", tt.raw, got, err, tt.want)
		}
	}
}
