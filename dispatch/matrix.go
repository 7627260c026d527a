package dispatch

import "github.com/cityops/cityops/rules"

// Matrix answers which department leads on a category in an area.
type Matrix struct {
	lead map[[2]string]string // (category, area) -> department; area "" for city-wide
	def  string
}

// NewMatrix indexes the pack's matrix.
func NewMatrix(m rules.Matrix) *Matrix {
	mx := &Matrix{lead: make(map[[2]string]string, len(m.Entries)), def: m.Default}
	for _, e := range m.Entries {
		mx.lead[[2]string{e.Category, e.Area}] = e.Department
	}
	return mx
}

// Lead returns the lead department for category in the given areas, finest
// first (e.g. the street, then its district). The first area with an entry
// wins, then the category's city-wide entry, then the default owner.
func (mx *Matrix) Lead(category string, areas ...string) string {
	for _, a := range areas {
		if a == "" {
			continue
		}
		if d, ok := mx.lead[[2]string{category, a}]; ok {
			return d
		}
	}
	if d, ok := mx.lead[[2]string{category, ""}]; ok {
		return d
	}
	return mx.def
}

// Default returns the department that owns what nothing else places.
func (mx *Matrix) Default() string { return mx.def }
