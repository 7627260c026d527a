package rules

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/cityops/cityops"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"
)

// Output is what a matching rule says about an event.
type Output struct {
	Category      string   `yaml:"category"`
	Severity      int      `yaml:"severity"`
	DeadlineClass string   `yaml:"deadline_class"`
	Tags          []string `yaml:"tags"`
}

// ruleDef is a rule as written in a rule file.
type ruleDef struct {
	ID       string   `yaml:"id"`
	Priority int      `yaml:"priority"`
	Source   string   `yaml:"source"`
	Types    []string `yaml:"types"`
	When     string   `yaml:"when"`
	Keywords []string `yaml:"keywords"`
	Regex    string   `yaml:"regex"`
	Output   `yaml:",inline"`
}

var ruleFields = map[string]bool{
	"id": true, "priority": true, "source": true, "types": true, "when": true, "keywords": true,
	"regex": true, "category": true, "severity": true, "deadline_class": true, "tags": true,
}

type groupDef struct {
	Name  string      `yaml:"name"`
	Mode  string      `yaml:"mode"` // first (default) or all
	Rules []yaml.Node `yaml:"rules"`
}

type ruleFile struct {
	Groups []groupDef `yaml:"groups"`
}

// rule is a compiled rule.
type rule struct {
	id       string
	priority int
	order    int // position in the pack, to keep ties stable
	source   string
	types    []string
	prog     *vm.Program
	keywords []string // lower case
	re       *regexp.Regexp
	out      Output
}

// match reports whether r's conditions hold for in, running its expression
// on m. The source and type filters were applied by the index.
func (r *rule) match(m *vm.VM, in *Input) bool {
	if len(r.keywords) > 0 {
		text, hit := in.lowerText(), false
		for _, k := range r.keywords {
			if strings.Contains(text, k) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	if r.re != nil && !r.re.MatchString(in.Text) {
		return false
	}
	if r.prog != nil {
		v, err := m.Run(r.prog, in)
		if err != nil {
			return false
		}
		if b, _ := v.(bool); !b {
			return false
		}
	}
	return true
}

// compileRules reads and compiles the rule files, recording problems in c.
func (c *checker) compileRules(fsys fs.FS, files []string, cats map[string]cityops.Category) *Engine {
	var groups []*group
	ids := map[string]string{}
	order := 0
	for _, file := range files {
		var rf ruleFile
		if err := decodeFile(fsys, file, &rf); err != nil {
			c.addErr(err)
			continue
		}
		for gi, gd := range rf.Groups {
			g := &group{name: gd.Name, all: gd.Mode == "all"}
			if gd.Mode != "" && gd.Mode != "first" && gd.Mode != "all" {
				c.add(file, 0, cityops.Invalid(fmt.Sprintf("groups[%d].mode", gi), "must be first or all, not %q", gd.Mode))
			}
			for ri := range gd.Rules {
				n := &gd.Rules[ri]
				r, err := compileRule(n, cats)
				if err != nil {
					c.add(file, n.Line, err)
					continue
				}
				if prev, dup := ids[r.id]; dup {
					c.add(file, n.Line, cityops.Invalid("id", "duplicate rule id %q (first in %s)", r.id, prev))
					continue
				}
				ids[r.id] = file
				r.order = order
				order++
				g.rules = append(g.rules, r)
			}
			groups = append(groups, g)
		}
	}
	return newEngine(groups)
}

func compileRule(n *yaml.Node, cats map[string]cityops.Category) (*rule, error) {
	// yaml.Node.Decode does not reject unknown fields, so check the keys.
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; !ruleFields[k] {
				return nil, cityops.Invalid(k, "unknown rule field")
			}
		}
	}
	var d ruleDef
	if err := n.Decode(&d); err != nil {
		return nil, err
	}
	if d.ID == "" {
		return nil, cityops.Invalid("id", "required")
	}
	if d.Source != "" && !cityops.Source(d.Source).Valid() {
		return nil, cityops.Invalid("source", "rule %s: must be hotline or iot, not %q", d.ID, d.Source)
	}
	if d.Category != "" {
		if _, ok := cats[d.Category]; !ok {
			return nil, cityops.Invalid("category", "rule %s: unknown category %q", d.ID, d.Category)
		}
	}
	if d.Severity < 0 || d.Severity > 4 {
		return nil, cityops.Invalid("severity", "rule %s: must be 1..4", d.ID)
	}
	if d.When == "" && len(d.Keywords) == 0 && d.Regex == "" && d.Source == "" && len(d.Types) == 0 {
		return nil, cityops.Invalid("when", "rule %s: has no condition at all", d.ID)
	}
	r := &rule{id: d.ID, priority: d.Priority, source: d.Source, types: d.Types, out: d.Output}
	for _, k := range d.Keywords {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
			r.keywords = append(r.keywords, k)
		}
	}
	if d.Regex != "" {
		re, err := regexp.Compile(d.Regex)
		if err != nil {
			return nil, cityops.Invalid("regex", "rule %s: %v", d.ID, err)
		}
		r.re = re
	}
	if d.When != "" {
		prog, err := expr.Compile(d.When, expr.Env(&Input{}), expr.AsBool(), inCell)
		if err == nil {
			err = checkCells(prog)
		}
		if err != nil {
			return nil, cityops.Invalid("when", "rule %s: %v", d.ID, err)
		}
		r.prog = prog
	}
	return r, nil
}
