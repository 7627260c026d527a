package rules

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
)

// WhatIf tallies how a pack's decisions on past events differ from the
// categories those events were given when they happened: the what-if a
// city's staff read before a rule change goes live.
type WhatIf struct {
	Events  int
	Changed int
	Moves   map[[2]string]int // (category then, category now) -> events
}

// Add records one past event: the category it was given then, and the
// pack's decision now.
func (w *WhatIf) Add(then string, now Decision) {
	w.Events++
	if then == now.Category {
		return
	}
	w.Changed++
	if w.Moves == nil {
		w.Moves = map[[2]string]int{}
	}
	w.Moves[[2]string{then, now.Category}]++
}

// Print writes the tally, the most frequent moves first (at most top).
func (w *WhatIf) Print(out io.Writer, top int) {
	keys := slices.SortedFunc(maps.Keys(w.Moves), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(w.Moves[b], w.Moves[a]), cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	for _, k := range keys[:min(top, len(keys))] {
		fmt.Fprintf(out, "  %6d  %s -> %s\n", w.Moves[k], cmp.Or(k[0], "(none)"), cmp.Or(k[1], "(none)"))
	}
	share := 0.0
	if w.Events > 0 {
		share = 100 * float64(w.Changed) / float64(w.Events)
	}
	fmt.Fprintf(out, "events=%d changed=%d (%.1f%%)\n", w.Events, w.Changed, share)
}
