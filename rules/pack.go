package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/cityops/cityops"
	"go.yaml.in/yaml/v3"
)

// Pack is a loaded, checked city pack.
type Pack struct {
	Name         string
	NameEN       string
	TimeZone     string
	Location     *time.Location
	CRS          string // WGS-84 or GCJ-02: the coordinates of the pack's areas
	Languages    []string
	AreasGeoJSON []byte
	Categories   []cityops.Category
	Departments  []cityops.Department
	Matrix       Matrix
	Devices      []cityops.Device
	Engine       *Engine
	Alarms       []*AlarmDef // the IoT alarm types (alarms.yaml); none when the pack has no alarms file
	Merge        MergeConfig // duplicate merge and fusion (merge.yaml); defaults when the pack has none
	Tiebreaks    *Tiebreaks  // learned boundary tie-breaks (tiebreaks.yaml, boundaries.yaml); nil when the pack has none

	services map[string]string // Open311 service code -> category code; made by Load
}

// Matrix is the responsibility matrix as the pack states it.
type Matrix struct {
	Default string        `yaml:"default" json:"default"` // the department that owns what nothing else places
	Entries []MatrixEntry `yaml:"entries" json:"entries"`
}

// MatrixEntry makes Department the lead for Category in Area (every area when
// Area is empty), helped by the Cooperating departments.
type MatrixEntry struct {
	Category    string   `yaml:"category" json:"category"`
	Area        string   `yaml:"area" json:"area,omitempty"`
	Department  string   `yaml:"department" json:"department"`
	Cooperating []string `yaml:"cooperating" json:"cooperating,omitempty"`
}

// packFile is pack.yaml.
type packFile struct {
	Name        string   `yaml:"name"`
	NameEN      string   `yaml:"name_en"`
	TimeZone    string   `yaml:"time_zone"`
	CRS         string   `yaml:"crs"`
	Languages   []string `yaml:"languages"`
	Areas       string   `yaml:"areas"`
	Categories  string   `yaml:"categories"`
	Departments string   `yaml:"departments"`
	Matrix      string   `yaml:"matrix"`
	Devices     string   `yaml:"devices"`
	Rules       []string `yaml:"rules"`
	Alarms      string   `yaml:"alarms"`
	Merge       string   `yaml:"merge"`
	Tiebreaks   string   `yaml:"tiebreaks"`
	Boundaries  string   `yaml:"boundaries"`
}

// Load reads the pack in fsys (pack.yaml at its root), checks all of it and
// compiles its rules. The error lists every problem found, each with its
// file and, where it has one, its line.
func Load(fsys fs.FS) (*Pack, error) {
	var pf packFile
	if err := decodeFile(fsys, "pack.yaml", &pf); err != nil {
		return nil, err
	}
	c := &checker{fsys: fsys}
	p := &Pack{Name: pf.Name, NameEN: pf.NameEN, TimeZone: pf.TimeZone, CRS: pf.CRS, Languages: pf.Languages}
	c.require("pack.yaml", "name", pf.Name)
	c.require("pack.yaml", "areas", pf.Areas)
	c.require("pack.yaml", "categories", pf.Categories)
	c.require("pack.yaml", "departments", pf.Departments)
	c.require("pack.yaml", "matrix", pf.Matrix)
	if p.CRS == "" {
		p.CRS = "WGS-84"
	}
	if p.CRS != "WGS-84" && p.CRS != "GCJ-02" {
		c.add("pack.yaml", 0, cityops.Invalid("crs", "must be WGS-84 or GCJ-02, not %q", p.CRS))
	}
	if p.TimeZone == "" {
		p.TimeZone = "UTC"
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		c.add("pack.yaml", 0, cityops.Invalid("time_zone", "unknown time zone %q", p.TimeZone))
	}
	p.Location = loc
	if c.err() != nil {
		return nil, c.err()
	}

	c.addErr(decodeFile(fsys, pf.Categories, &p.Categories))
	c.addErr(decodeFile(fsys, pf.Departments, &p.Departments))
	c.addErr(decodeFile(fsys, pf.Matrix, &p.Matrix))
	if pf.Devices != "" {
		c.addErr(decodeFile(fsys, pf.Devices, &p.Devices))
	}
	areaIDs := map[string]bool{}
	if pf.Areas != "" {
		p.AreasGeoJSON, err = fs.ReadFile(fsys, pf.Areas)
		if err != nil {
			c.add(pf.Areas, 0, fmt.Errorf("reading: %w", err))
		} else if areaIDs, err = geoJSONIDs(p.AreasGeoJSON); err != nil {
			c.add(pf.Areas, 0, err)
		}
	}
	if c.err() != nil {
		return nil, c.err()
	}

	cats := c.checkCategories(pf.Categories, p.Categories)
	c.checkServiceCodes(pf.Categories, p.Categories)
	depts := c.checkDepartments(pf.Departments, p.Departments)
	c.checkMatrix(pf.Matrix, p.Matrix, cats, depts, areaIDs)
	c.checkDevices(pf.Devices, p.Devices, depts)
	if pf.Tiebreaks != "" {
		p.Tiebreaks = c.loadTiebreaks(fsys, pf.Tiebreaks, areaIDs)
	}
	if pf.Boundaries != "" {
		if b, ok := c.loadBoundaries(fsys, pf.Boundaries, areaIDs); ok {
			p.Tiebreaks = p.Tiebreaks.WithBoundaries(b)
		}
	}
	p.Engine = c.compileRules(fsys, pf.Rules, cats)
	if pf.Alarms != "" {
		p.Alarms = c.compileAlarms(fsys, pf.Alarms, cats)
	}
	p.Merge = MergeConfig{Window: DefaultMergeWindow}
	if pf.Merge != "" {
		p.Merge = c.compileMerge(fsys, pf.Merge, cats, p.Alarms)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	p.indexServices()
	return p, nil
}

// decodeFile decodes the YAML file name of fsys into v, rejecting unknown
// fields.
func decodeFile(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return &PackError{File: name, Err: fmt.Errorf("reading: %w", err)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, errEOF) {
		return &PackError{File: name, Err: err}
	}
	return nil
}

// geoJSONIDs returns the "id" properties of a FeatureCollection's features.
// The geo stage checks the geometry itself; the pack only needs the ids to
// check the matrix.
func geoJSONIDs(b []byte) (map[string]bool, error) {
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, fmt.Errorf("decoding GeoJSON: %w", err)
	}
	ids := make(map[string]bool, len(fc.Features))
	for i, f := range fc.Features {
		id, ok := f.Properties["id"]
		if !ok {
			return nil, fmt.Errorf("feature %d: %w", i, cityops.Invalid("properties.id", "missing"))
		}
		ids[fmt.Sprint(id)] = true
	}
	return ids, nil
}
