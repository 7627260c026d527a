package rules

import "slices"

// Groups returns, for a pack's merge settings, the merge group of every
// category and alarm type the fusion rules join: signals that may end in
// one incident share a group, named by its smallest member ("c:CODE" for a
// category, "a:ID" for an alarm type). A category no rule fuses is its own
// group. A merge stage keys its input by group, so that everything that may
// merge lands in one partition.
func (c MergeConfig) Groups() map[string]string {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		p, ok := parent[x]
		if !ok || p == x {
			parent[x] = x
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	union := func(a, b string) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if rb < ra {
			ra, rb = rb, ra
		}
		parent[rb] = ra
	}
	for _, f := range c.Fusion {
		var members []string
		for _, a := range f.Alarms {
			members = append(members, "a:"+a)
		}
		for _, k := range f.Categories {
			members = append(members, "c:"+k)
		}
		slices.Sort(members)
		for _, m := range members[min(1, len(members)):] {
			union(members[0], m)
		}
	}
	out := make(map[string]string, len(parent))
	for x := range parent {
		out[x] = find(x)
	}
	return out
}

// Group returns the merge group of a report's category (alarm empty) or of
// an alarm type, by groups from Groups.
func Group(groups map[string]string, category, alarm string) string {
	k := "c:" + category
	if alarm != "" {
		k = "a:" + alarm
	}
	if g, ok := groups[k]; ok {
		return g
	}
	return k
}
