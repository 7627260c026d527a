package web

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestOpenCountsAgreeWithACount drives openCounts through random opens,
// replacements (new department, new deadline), closes and ticks, and checks
// it against counting the open entries one by one.
func TestOpenCountsAgreeWithACount(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c := newOpenCounts()
	open := map[string]*entry{}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for step := range 20000 {
		now = now.Add(time.Duration(rng.IntN(60)) * time.Second)
		id := fmt.Sprintf("inc-%d", rng.IntN(500))
		old := open[id]
		var nu *entry
		if rng.IntN(4) > 0 { // open or replace; else close
			nu = &entry{department: fmt.Sprintf("d%d", rng.IntN(5)), dueAt: -1}
			if rng.IntN(5) > 0 {
				nu.deadline = now.Add(time.Duration(rng.IntN(240)-30) * time.Minute)
			}
			open[id] = nu
		} else {
			delete(open, id)
		}
		c.change(old, nu, now)
		if step%50 != 0 {
			continue
		}
		c.tick(now)
		wantOpen, wantOverdue := map[string]int{}, map[string]int{}
		for _, e := range open {
			wantOpen[e.department]++
			if e.overdue(now) {
				wantOverdue[e.department]++
			}
		}
		for d := range 5 {
			dept := fmt.Sprintf("d%d", d)
			if c.open[dept] != wantOpen[dept] || c.overdue[dept] != wantOverdue[dept] {
				t.Fatalf("step %d, %s: open %d overdue %d, counted %d and %d", step, dept, c.open[dept], c.overdue[dept], wantOpen[dept], wantOverdue[dept])
			}
		}
	}
}
