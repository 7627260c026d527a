package web

import (
	"container/heap"
	"time"
)

// openCounts keeps the open and overdue incidents of each department as
// incidents change, so the counters cost nothing per open incident: with a
// million open, counting them anew every second under the hub's lock took
// hundreds of milliseconds. Deadlines still ahead wait in a heap; tick moves
// those that passed to overdue. The hub's lock guards it.
type openCounts struct {
	open, overdue map[string]int // by department
	due           dueHeap
}

func newOpenCounts() openCounts {
	return openCounts{open: make(map[string]int), overdue: make(map[string]int)}
}

// change counts the replacement of old by nu (either may be nil) at now.
func (c *openCounts) change(old, nu *entry, now time.Time) {
	if old != nil {
		c.open[old.department]--
		if old.late {
			c.overdue[old.department]--
		}
		if old.dueAt >= 0 {
			heap.Remove(&c.due, old.dueAt)
		}
	}
	if nu == nil {
		return
	}
	c.open[nu.department]++
	nu.dueAt = -1
	switch {
	case nu.deadline.IsZero():
	case nu.deadline.Before(now):
		nu.late = true
		c.overdue[nu.department]++
	default:
		heap.Push(&c.due, nu)
	}
}

// tick counts as overdue the incidents whose deadline is before now.
func (c *openCounts) tick(now time.Time) {
	for len(c.due) > 0 && c.due[0].deadline.Before(now) {
		e := heap.Pop(&c.due).(*entry)
		e.late = true
		c.overdue[e.department]++
	}
}

// dueHeap orders open entries by deadline; each knows its index (dueAt).
type dueHeap []*entry

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].deadline.Before(h[j].deadline) }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].dueAt, h[j].dueAt = i, j
}

func (h *dueHeap) Push(x any) {
	e := x.(*entry)
	e.dueAt = len(*h)
	*h = append(*h, e)
}

func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.dueAt = -1
	return e
}
