package rules

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"

	"github.com/cityops/cityops"
)

var errEOF = io.EOF

// PackError is one problem in a pack, at a file and (when known) a line.
type PackError struct {
	File string
	Line int
	Err  error
}

func (e *PackError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *PackError) Unwrap() error { return e.Err }

// checker gathers a pack's problems so that one run of `pack check` reports
// them all.
type checker struct {
	fsys  fs.FS
	errs  []error
	lines map[[2]string][]int // (file, key) -> lines of a list's items, by itemLine
}

func (c *checker) add(file string, line int, err error) {
	c.errs = append(c.errs, &PackError{File: file, Line: line, Err: err})
}

func (c *checker) addErr(err error) {
	if err != nil {
		c.errs = append(c.errs, err)
	}
}

func (c *checker) require(file, field, v string) {
	if v == "" {
		c.add(file, 0, cityops.Invalid(field, "required"))
	}
}

func (c *checker) err() error { return errors.Join(c.errs...) }

func (c *checker) checkCategories(file string, cats []cityops.Category) map[string]cityops.Category {
	m := make(map[string]cityops.Category, len(cats))
	for i, cat := range cats {
		where := fmt.Sprintf("categories[%d]", i)
		switch {
		case cat.Code == "":
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".code", "required"))
		case cat.Name == "":
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".name", "required"))
		case cat.Kind != cityops.KindPart && cat.Kind != cityops.KindEvent:
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".kind", "must be part or event, not %q", cat.Kind))
		case cat.Severity < 0 || cat.Severity > 4:
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".severity", "must be 1..4"))
		case cat.DeadlineHours < 0:
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".deadline_hours", "must not be negative"))
		}
		if _, dup := m[cat.Code]; dup {
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".code", "duplicate code %q", cat.Code))
		}
		m[cat.Code] = cat
	}
	return m
}

func (c *checker) checkDepartments(file string, depts []cityops.Department) map[string]bool {
	m := make(map[string]bool, len(depts))
	for i, d := range depts {
		where := fmt.Sprintf("departments[%d]", i)
		if d.ID == "" {
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".id", "required"))
		}
		if d.Name == "" {
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".name", "required"))
		}
		if m[d.ID] {
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".id", "duplicate id %q", d.ID))
		}
		m[d.ID] = true
	}
	return m
}

func (c *checker) checkMatrix(file string, mx Matrix, cats map[string]cityops.Category, depts, areas map[string]bool) {
	if !depts[mx.Default] {
		c.add(file, keyLine(c.fsys, file, "default"), cityops.Invalid("default", "unknown department %q", mx.Default))
	}
	seen := map[[2]string]bool{}
	for i, e := range mx.Entries {
		where := fmt.Sprintf("entries[%d]", i)
		if _, ok := cats[e.Category]; !ok {
			c.add(file, c.itemLine(file, "entries", i), cityops.Invalid(where+".category", "unknown category %q", e.Category))
		}
		if e.Area != "" && !areas[e.Area] {
			c.add(file, c.itemLine(file, "entries", i), cityops.Invalid(where+".area", "unknown area %q", e.Area))
		}
		if !depts[e.Department] {
			c.add(file, c.itemLine(file, "entries", i), cityops.Invalid(where+".department", "unknown department %q", e.Department))
		}
		for j, d := range e.Cooperating {
			if !depts[d] || d == e.Department || slices.Contains(e.Cooperating[:j], d) {
				c.add(file, c.itemLine(file, "entries", i), cityops.Invalid(fmt.Sprintf("%s.cooperating[%d]", where, j), "%q is unknown, the lead or named twice", d))
			}
		}
		k := [2]string{e.Category, e.Area}
		if seen[k] {
			c.add(file, c.itemLine(file, "entries", i), cityops.Invalid(where, "a second entry for category %q and area %q", e.Category, e.Area))
		}
		seen[k] = true
	}
}

func (c *checker) checkDevices(file string, devs []cityops.Device, depts map[string]bool) {
	seen := map[string]bool{}
	for i, d := range devs {
		where := fmt.Sprintf("devices[%d]", i)
		switch {
		case d.ID == "":
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".id", "required"))
		case seen[d.ID]:
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".id", "duplicate id %q", d.ID))
		case d.Type == "":
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".type", "required"))
		case d.Lat < -90 || d.Lat > 90:
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".lat", "must be between -90 and 90"))
		case d.Lon < -180 || d.Lon > 180:
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".lon", "must be between -180 and 180"))
		case d.Department != "" && !depts[d.Department]:
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where+".department", "unknown department %q", d.Department))
		}
		seen[d.ID] = true
	}
}
