package rules

import (
	"fmt"
	"io/fs"
	"time"

	"github.com/cityops/cityops"
	"go.yaml.in/yaml/v3"
)

// MergeConfig says which signals become one incident: hotline reports of one
// category in the same or a neighbouring H3 resolution-9 cell within Window,
// and, by the fusion rules, sensor alarms with the complaints about the same
// thing.
type MergeConfig struct {
	Window time.Duration // how long after its last report an incident takes more reports
	Fusion []FusionRule
	Reopen ReopenConfig // what a report about a resolved or closed incident does
}

// ReopenConfig says how long after an incident is resolved or closed a
// report that matches it reopens it as a repeat complaint (重复投诉) rather
// than founding a new incident: Window (DefaultReopenWindow when zero), or
// the category's own window.
type ReopenConfig struct {
	Window     time.Duration
	Categories map[string]time.Duration // category code -> its window
}

// DefaultReopenWindow is the reopen window of a pack that states none.
const DefaultReopenWindow = 7 * 24 * time.Hour

// ReopenWindow returns how long after closure a matching report of category
// reopens an incident.
func (c MergeConfig) ReopenWindow(category string) time.Duration {
	if w, ok := c.Reopen.Categories[category]; ok && w > 0 {
		return w
	}
	if c.Reopen.Window > 0 {
		return c.Reopen.Window
	}
	return DefaultReopenWindow
}

// FusionRule fuses alarms of the named types with hotline reports of the
// named categories, in the same or neighbouring cells within Window.
type FusionRule struct {
	ID         string
	Alarms     []string // AlarmDef ids
	Categories []string // category codes of the complaints
	Window     time.Duration
}

type mergeFile struct {
	Window string      `yaml:"window"`
	Fusion []yaml.Node `yaml:"fusion"`
	Reopen reopenYAML  `yaml:"reopen"`
}

type reopenYAML struct {
	Window     string            `yaml:"window"`
	Categories map[string]string `yaml:"categories"`
}

type fusionYAML struct {
	ID         string   `yaml:"id"`
	Alarms     []string `yaml:"alarms"`
	Categories []string `yaml:"categories"`
	Window     string   `yaml:"window"`
}

// DefaultMergeWindow is the merge window of a pack that states none.
const DefaultMergeWindow = 2 * time.Hour

// compileMerge reads the merge file, checking that fusion rules name alarm
// types and categories the pack defines.
func (c *checker) compileMerge(fsys fs.FS, file string, cats map[string]cityops.Category, alarms []*AlarmDef) MergeConfig {
	mc := MergeConfig{Window: DefaultMergeWindow}
	var mf mergeFile
	if err := decodeFile(fsys, file, &mf); err != nil {
		c.addErr(err)
		return mc
	}
	if mf.Window != "" {
		w, err := time.ParseDuration(mf.Window)
		if err != nil || w <= 0 {
			c.add(file, 0, cityops.Invalid("window", "must be a positive duration like 2h, not %q", mf.Window))
		}
		mc.Window = w
	}
	mc.Reopen = c.compileReopen(file, mf.Reopen, cats)
	known := map[string]bool{}
	for _, a := range alarms {
		known[a.ID] = true
	}
	ids := map[string]bool{}
	for i := range mf.Fusion {
		n := &mf.Fusion[i]
		var y fusionYAML
		if err := decodeFusion(n, &y); err != nil {
			c.add(file, n.Line, err)
			continue
		}
		bad := func(field, format string, args ...any) {
			c.add(file, n.Line, cityops.Invalid(field, "fusion %s: %s", y.ID, fmt.Sprintf(format, args...)))
		}
		if y.ID == "" || ids[y.ID] {
			bad("id", "required and unique")
		}
		ids[y.ID] = true
		if len(y.Alarms) == 0 || len(y.Categories) == 0 {
			bad("alarms", "needs alarm types and categories")
		}
		for _, a := range y.Alarms {
			if !known[a] {
				bad("alarms", "unknown alarm type %q", a)
			}
		}
		for _, k := range y.Categories {
			if _, ok := cats[k]; !ok {
				bad("categories", "unknown category %q", k)
			}
		}
		fr := FusionRule{ID: y.ID, Alarms: y.Alarms, Categories: y.Categories, Window: mc.Window}
		if y.Window != "" {
			w, err := time.ParseDuration(y.Window)
			if err != nil || w <= 0 {
				bad("window", "must be a positive duration, not %q", y.Window)
			}
			fr.Window = w
		}
		mc.Fusion = append(mc.Fusion, fr)
	}
	return mc
}

// compileReopen reads the reopen window and its per-category overrides.
func (c *checker) compileReopen(file string, y reopenYAML, cats map[string]cityops.Category) ReopenConfig {
	var rc ReopenConfig
	parse := func(field, v string) time.Duration {
		w, err := time.ParseDuration(v)
		if err != nil || w <= 0 {
			c.add(file, 0, cityops.Invalid(field, "must be a positive duration like 168h, not %q", v))
		}
		return w
	}
	if y.Window != "" {
		rc.Window = parse("reopen.window", y.Window)
	}
	for code, v := range y.Categories {
		if _, ok := cats[code]; !ok {
			c.add(file, 0, cityops.Invalid("reopen.categories", "unknown category %q", code))
			continue
		}
		if rc.Categories == nil {
			rc.Categories = map[string]time.Duration{}
		}
		rc.Categories[code] = parse("reopen.categories", v)
	}
	return rc
}

var fusionFields = map[string]bool{"id": true, "alarms": true, "categories": true, "window": true}

// decodeFusion decodes a fusion rule, rejecting unknown fields, which
// yaml.Node.Decode does not.
func decodeFusion(n *yaml.Node, y *fusionYAML) error {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; !fusionFields[k] {
				return cityops.Invalid(k, "unknown fusion field")
			}
		}
	}
	return n.Decode(y)
}
