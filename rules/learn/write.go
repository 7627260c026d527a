package learn

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cityops/cityops/rules"
	"go.yaml.in/yaml/v3"
)

// Write writes the learned pack into dir, creating it.
func (l *Learned) Write(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
		return fmt.Errorf("creating pack directory: %w", err)
	}
	type matrixEntry struct {
		Category   string `yaml:"category"`
		Area       string `yaml:"area,omitempty"`
		Department string `yaml:"department"`
	}
	mx := struct {
		Default string        `yaml:"default"`
		Entries []matrixEntry `yaml:"entries"`
	}{Default: l.Default}
	for _, e := range l.Matrix {
		mx.Entries = append(mx.Entries, matrixEntry{e[0], e[1], e[2]})
	}
	type ruleYAML struct {
		ID       string   `yaml:"id"`
		Priority int      `yaml:"priority,omitempty"`
		Source   string   `yaml:"source"`
		Types    []string `yaml:"types,omitempty"`
		When     string   `yaml:"when,omitempty"`
		Category string   `yaml:"category"`
	}
	var rs []ruleYAML
	for _, r := range l.Rules {
		y := ruleYAML{ID: r.ID, Source: "hotline", Priority: r.Priority, When: r.When, Category: r.Category}
		if r.Type != "" {
			y.Types = []string{r.Type}
		}
		if r.Descriptor != "" {
			y.Priority = 10
			// The text is the descriptor alone (eval), or the type and the
			// descriptor joined by ": " (replay's default text columns).
			y.When = fmt.Sprintf("text == %q || text endsWith %q", r.Descriptor, ": "+r.Descriptor)
		}
		rs = append(rs, y)
	}
	type group struct {
		Name  string     `yaml:"name"`
		Mode  string     `yaml:"mode"`
		Rules []ruleYAML `yaml:"rules"`
	}
	files := []struct {
		name, head string
		v          any
	}{
		{"pack.yaml", "# Learned from the city's request history by `cityops pack learn`.", map[string]any{
			"name": l.Name, "time_zone": l.TimeZone, "crs": "WGS-84", "languages": []string{"en"},
			"areas": "areas.geojson", "categories": "categories.yaml", "departments": "departments.yaml",
			"matrix": "matrix.yaml", "rules": []string{"rules/learned.yaml"}, "tiebreaks": "tiebreaks.yaml",
			"boundaries": "boundaries.yaml",
		}},
		{"categories.yaml", "# One category per request type, and per type and descriptor where another\n# department handled them. deadline_hours: the time within which 80% of the\n# city's requests of the category were closed. service_code: the Open311\n# service the category is offered as; a request with that service_code is of\n# the category, whatever its text.", l.Categories},
		{"departments.yaml", "# The departments that handled the requests.", l.Departments},
		{"matrix.yaml", "# Each category's most frequent department, city-wide and per area where an\n# area's practice differs.", mx},
		{"tiebreaks.yaml", "# Requests near a boundary between areas, with the area the city recorded:\n# how the city places points where areas meet (see rules.Tiebreaks).", tiebreakList(l.Tiebreaks)},
		{"boundaries.yaml", "# How the city's records place street-only locations (intersections, streets\n# without a house number) on a boundary where no past request tells: the\n# side they choose, and the areas they seldom record at their edges (see\n# rules.Boundaries).", l.Boundaries},
		{"rules/learned.yaml", "# A hotline event's type is the request type, its text the descriptor. The\n# near.* rules route types never seen in training by the seen types they\n# resemble: a longer shared code or word prefix first, then a shared word.", map[string]any{
			"groups": []group{{Name: "learned", Mode: "first", Rules: rs}},
		}},
	}
	for _, f := range files {
		var buf bytes.Buffer
		buf.WriteString(f.head + "\n")
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(f.v); err != nil {
			return fmt.Errorf("encoding %s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", f.name, err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "areas.geojson"), l.Areas, 0o644); err != nil {
		return fmt.Errorf("writing areas: %w", err)
	}
	return nil
}

// tiebreakList keeps an empty table a list in YAML.
func tiebreakList(t []rules.TiebreakEntry) []rules.TiebreakEntry {
	if t == nil {
		return []rules.TiebreakEntry{}
	}
	return t
}
