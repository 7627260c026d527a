package rules

import (
	"slices"
	"sync"

	"github.com/expr-lang/expr/vm"
)

// Decision is what the engine made of an event.
type Decision struct {
	Output
	Matched []string // ids of the matching rules, in the order they were applied: the explanation
}

// Engine classifies events with compiled rules. It is safe for concurrent use.
type Engine struct {
	groups []*group
}

// group is a rule group with its rules indexed by source and type, so that an
// event is tested only against the rules that could match it.
type group struct {
	name  string
	all   bool
	rules []*rule
	// byKey holds, for each source and type named by some rule, the rules
	// that apply to that pair in evaluation order; bySource the rules for a
	// source with a type no rule names; any the rules for other sources.
	byKey    map[[2]string][]*rule
	bySource map[string][]*rule
	any      []*rule
}

func newEngine(groups []*group) *Engine {
	for _, g := range groups {
		g.index()
	}
	return &Engine{groups: groups}
}

// index builds the group's candidate lists.
func (g *group) index() {
	byPriority := func(rs []*rule) []*rule {
		rs = slices.Clone(rs)
		slices.SortStableFunc(rs, func(a, b *rule) int {
			if a.priority != b.priority {
				return b.priority - a.priority
			}
			return a.order - b.order
		})
		return rs
	}
	sources := map[string]bool{}
	keys := map[[2]string]bool{}
	for _, r := range g.rules {
		if r.source != "" {
			sources[r.source] = true
		}
		for _, t := range r.types {
			keys[[2]string{r.source, t}] = true
		}
	}
	applies := func(r *rule, src, typ string, typed bool) bool {
		if r.source != "" && r.source != src {
			return false
		}
		if len(r.types) == 0 {
			return true
		}
		return typed && slices.Contains(r.types, typ)
	}
	g.byKey = map[[2]string][]*rule{}
	for k := range keys {
		var rs []*rule
		for _, r := range g.rules {
			// A rule with no source but this type applies to every source.
			if applies(r, k[0], k[1], true) || (k[0] == "" && len(r.types) > 0 && slices.Contains(r.types, k[1])) {
				rs = append(rs, r)
			}
		}
		g.byKey[k] = byPriority(rs)
	}
	g.bySource = map[string][]*rule{}
	for s := range sources {
		var rs []*rule
		for _, r := range g.rules {
			if applies(r, s, "", false) {
				rs = append(rs, r)
			}
		}
		g.bySource[s] = byPriority(rs)
	}
	var rs []*rule
	for _, r := range g.rules {
		if r.source == "" && len(r.types) == 0 {
			rs = append(rs, r)
		}
	}
	g.any = byPriority(rs)
}

// candidates returns the rules of g that could match an event of source src
// and type typ, in evaluation order.
func (g *group) candidates(src, typ string) []*rule {
	if rs, ok := g.byKey[[2]string{src, typ}]; ok {
		return rs
	}
	if rs, ok := g.byKey[[2]string{"", typ}]; ok {
		// Typed rules without a source, plus the untyped rules that apply.
		untyped, ok := g.bySource[src]
		if !ok {
			untyped = g.any
		}
		return mergeOrdered(rs, untyped)
	}
	if rs, ok := g.bySource[src]; ok {
		return rs
	}
	return g.any
}

// mergeOrdered merges two rule lists already in evaluation order. It runs only
// for events whose type some source-less rule names: rare, so it allocates.
func mergeOrdered(a, b []*rule) []*rule {
	out := slices.Concat(a, b)
	slices.SortStableFunc(out, func(x, y *rule) int {
		if x.priority != y.priority {
			return y.priority - x.priority
		}
		return x.order - y.order
	})
	return slices.CompactFunc(out, func(x, y *rule) bool { return x == y })
}

// vms are expression machines to reuse: vm.Run makes a new one, with its
// stack, for every expression it runs.
var vms = sync.Pool{New: func() any { return new(vm.VM) }}

// Classify runs the rules over in. Groups run in pack order. In each group a
// first-match group applies its first matching rule, an all-match group every
// matching rule. The first rule to name a category sets it; severity is the
// highest any matching rule names; tags accumulate.
func (e *Engine) Classify(in *Input) Decision {
	var d Decision
	m := vms.Get().(*vm.VM)
	defer vms.Put(m)
	for _, g := range e.groups {
		for _, r := range g.candidates(in.Source, in.Type) {
			if !r.match(m, in) {
				continue
			}
			d.Matched = append(d.Matched, r.id)
			if d.Category == "" {
				d.Category = r.out.Category
			}
			if d.DeadlineClass == "" {
				d.DeadlineClass = r.out.DeadlineClass
			}
			d.Severity = max(d.Severity, r.out.Severity)
			d.Tags = append(d.Tags, r.out.Tags...)
			if !g.all {
				break
			}
		}
	}
	return d
}

// Rules returns the number of compiled rules.
func (e *Engine) Rules() int {
	n := 0
	for _, g := range e.groups {
		n += len(g.rules)
	}
	return n
}
