package process

import "github.com/cityops/cityops/rules"

// Assigner answers, from the pack's responsibility matrix, which department
// leads on a category in an area, and which departments cooperate with it.
type Assigner struct {
	entries map[[2]string]rules.MatrixEntry // (category, area) -> entry; area "" for city-wide
	def     string
}

// NewAssigner indexes the pack's responsibility matrix.
func NewAssigner(m rules.Matrix) *Assigner {
	mx := &Assigner{entries: make(map[[2]string]rules.MatrixEntry, len(m.Entries)), def: m.Default}
	for _, e := range m.Entries {
		mx.entries[[2]string{e.Category, e.Area}] = e
	}
	return mx
}

// Lead returns the lead department for category in the given areas, finest
// first (e.g. the street, then its district). The first area with an entry
// wins, then the category's city-wide entry, then the default owner.
func (mx *Assigner) Lead(category string, areas ...string) string {
	lead, _ := mx.Assign(category, areas...)
	return lead
}

// Assign returns the lead department and the cooperating departments for
// category in the given areas, chosen as Lead chooses. The cooperating slice
// is the matrix's own: callers must not change it.
func (mx *Assigner) Assign(category string, areas ...string) (lead string, cooperating []string) {
	for _, a := range areas {
		if a == "" {
			continue
		}
		if e, ok := mx.entries[[2]string{category, a}]; ok {
			return e.Department, e.Cooperating
		}
	}
	if e, ok := mx.entries[[2]string{category, ""}]; ok {
		return e.Department, e.Cooperating
	}
	return mx.def, nil
}

// Default returns the department that owns what nothing else places.
func (mx *Assigner) Default() string { return mx.def }
