package rules

import (
	"container/heap"
	"slices"
	"sync"
	"time"

	"github.com/cityops/cityops"
	"github.com/uber/h3-go/v4"
)

// Candidate is a signal that may start an incident or join one: a classified
// hotline report, or a sensor alarm.
type Candidate struct {
	ID         string       // the event's id, or the alarm's id; adding the same id twice is a no-op
	IncidentID string       // the id of the incident it starts when it joins none
	Category   string       // category code; a report without one never merges
	Alarm      string       // the AlarmDef id for a sensor alarm; empty for a hotline report
	Cell       cityops.Cell // H3 cell at resolution 9
	Time       time.Time    // when it was reported
}

// Merged is an incident as the Merger sees it: the signals it gathered.
type Merged struct {
	ID        string
	Category  string
	Cell      cityops.Cell // the first signal's cell
	Reports   int          // hotline reports merged into it
	ReportIDs []string     // the first MaxIDs of them
	Alarms    []string     // the ids of the sensor alarms fused into it
	First     time.Time
	Last      time.Time
	// Done is when the incident was last resolved or closed, zero while it
	// is worked on: a report within the category's reopen window after
	// it reopens it as a repeat complaint, a later one founds a new
	// incident.
	Done time.Time

	sigs  []string  // every signal id, to forget them with the incident
	until time.Time // while Done is set: when the reopen window ends
}

// MergerOptions bound a Merger's memory.
type MergerOptions struct {
	MaxIDs  int // report ids kept per incident (default 100); Reports counts them all
	MaxOpen int // incidents kept; beyond it the least recently reported are forgotten (default 100,000)
}

// Merger joins hotline reports of one category in the same or neighbouring
// H3 resolution-9 cells (grid disk k=1) within the pack's merge window into
// one incident, and fuses sensor alarms with the complaints the pack's
// fusion rules pair them with. Incidents whose last signal is older than
// their window (by signal time) are forgotten, so memory is bounded by the
// signals of one window. The result depends only on the signals and their
// order: a replica rebuilds the state by replaying the last window of
// events. It is safe for concurrent use.
type Merger struct {
	mu      sync.Mutex
	window  time.Duration
	maxWin  time.Duration
	opt     MergerOptions
	peers   map[string][]peer  // class -> the classes it joins and within what window
	open    map[mkey][]*Merged // (class, cell) -> incidents started there
	signals map[string]*Merged // signal id -> its incident
	class   map[*Merged]string // incident -> its class
	ids     map[string]*Merged // incident id -> incident
	latest  time.Time          // the latest signal time seen
	queue   []qent             // incidents in the order their last signal came
	head    int                // queue[head:] is live
	reopen  func(category string) time.Duration
	done    doneHeap // done incidents by the end of their reopen window
}

// qent is an incident and its last signal time when it was queued; an
// entry whose time is no longer the incident's Last is stale.
type qent struct {
	inc  *Merged
	last time.Time
}

type mkey struct {
	class string
	cell  cityops.Cell
}

type peer struct {
	class  string
	window time.Duration
}

// NewMerger returns a Merger for a pack's merge settings.
func NewMerger(cfg MergeConfig, opt MergerOptions) *Merger {
	if opt.MaxIDs <= 0 {
		opt.MaxIDs = 100
	}
	if opt.MaxOpen <= 0 {
		opt.MaxOpen = 100_000
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultMergeWindow
	}
	m := &Merger{opt: opt, open: map[mkey][]*Merged{}, signals: map[string]*Merged{}, class: map[*Merged]string{}, ids: map[string]*Merged{}}
	m.configureLocked(cfg)
	return m
}

// Reconfigure applies a reloaded pack's merge settings, keeping the
// incidents held.
func (m *Merger) Reconfigure(cfg MergeConfig) {
	if cfg.Window <= 0 {
		cfg.Window = DefaultMergeWindow
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.configureLocked(cfg)
}

func (m *Merger) configureLocked(cfg MergeConfig) {
	m.window, m.maxWin, m.peers = cfg.Window, cfg.Window, map[string][]peer{}
	m.reopen = cfg.ReopenWindow
	link := func(a, b string, w time.Duration) { m.peers[a] = append(m.peers[a], peer{b, w}) }
	for _, f := range cfg.Fusion {
		m.maxWin = max(m.maxWin, f.Window)
		var classes []string
		for _, a := range f.Alarms {
			classes = append(classes, "a:"+a)
		}
		for _, c := range f.Categories {
			classes = append(classes, "c:"+c)
		}
		for _, x := range classes {
			for _, y := range classes {
				if x != y {
					link(x, y, f.Window)
				}
			}
		}
	}
}

func classOf(c *Candidate) string {
	if c.Alarm != "" {
		return "a:" + c.Alarm
	}
	return "c:" + c.Category
}

// Add files c and returns the id of the incident it belongs to, and whether
// that incident existed before (merged) or c starts it.
func (m *Merger) Add(c Candidate) (incidentID string, merged bool) {
	id, merged, _ := m.Place(c)
	return id, merged
}

// Place is Add that also says whether c reopened a done incident as a
// repeat complaint: a hotline report (never an alarm) that matches an
// incident marked Done, reported after it and within the category's reopen
// window. A matching report from before it was done joins it and leaves it
// done; an alarm never joins a done incident.
func (m *Merger) Place(c Candidate) (incidentID string, merged, repeat bool) {
	if c.Category == "" && c.Alarm == "" {
		return c.IncidentID, false, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if inc, ok := m.signals[c.ID]; ok {
		return inc.ID, true, false
	}
	if c.Time.After(m.latest) {
		m.latest = c.Time
	}
	m.sweepLocked()
	cls := classOf(&c)
	if inc := m.findLocked(cls, &c); inc != nil {
		m.joinLocked(inc, &c)
		return inc.ID, true, false
	}
	if c.Alarm == "" {
		if inc := m.findDoneLocked(cls, &c); inc != nil {
			if !c.Time.After(inc.Done) {
				// Reported before it was done: a late copy of what was
				// fixed, not a repeat; it stays done.
				m.joinLocked(inc, &c)
				return inc.ID, true, false
			}
			inc.Done, inc.until = time.Time{}, time.Time{}
			m.joinLocked(inc, &c)
			return inc.ID, true, true
		}
	}
	inc := &Merged{ID: c.IncidentID, Category: c.Category, Cell: c.Cell, First: c.Time, Last: c.Time}
	m.joinLocked(inc, &c)
	k := mkey{cls, c.Cell}
	m.open[k] = append(m.open[k], inc)
	m.class[inc] = cls
	m.ids[inc.ID] = inc
	return inc.ID, false, false
}

// findLocked returns the most recently reported incident that c joins.
func (m *Merger) findLocked(cls string, c *Candidate) *Merged {
	var best *Merged
	look := func(class string, w time.Duration) {
		for _, cell := range h3.Cell(c.Cell).GridDisk(1) {
			for _, inc := range m.open[mkey{class, cityops.Cell(cell)}] {
				if !inc.Done.IsZero() {
					continue // only a repeat complaint reopens it: findDoneLocked
				}
				if c.Time.Before(inc.First.Add(-w)) || c.Time.After(inc.Last.Add(w)) {
					continue
				}
				if best == nil || inc.Last.After(best.Last) {
					best = inc
				}
			}
		}
	}
	look(cls, m.window)
	for _, p := range m.peers[cls] {
		look(p.class, p.window)
	}
	return best
}

// findDoneLocked returns the most recently done incident of c's class in
// c's cell or a neighbour whose reopen window c falls in, from the merge
// window before its first signal to the end of the reopen window.
func (m *Merger) findDoneLocked(cls string, c *Candidate) *Merged {
	var best *Merged
	for _, cell := range h3.Cell(c.Cell).GridDisk(1) {
		for _, inc := range m.open[mkey{cls, cityops.Cell(cell)}] {
			if inc.Done.IsZero() || c.Time.After(inc.until) || c.Time.Before(inc.First.Add(-m.window)) {
				continue
			}
			if best == nil || inc.Done.After(best.Done) {
				best = inc
			}
		}
	}
	return best
}

// MarkDone records that incident d.ID was resolved or closed at: the
// Merger keeps it for the category's reopen window after at, and until
// then a matching report reopens it (Place says repeat) instead of joining
// it silently. An incident the Merger forgot (its merge window ended long
// before it was done) is held again from d: its category, cell, counters
// and signal times. A later at moves the window; an earlier one, or a d
// without a category, does nothing.
func (m *Merger) MarkDone(d Merged, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inc, ok := m.ids[d.ID]
	if !ok {
		if d.Category == "" || d.ID == "" {
			return
		}
		inc = &Merged{ID: d.ID, Category: d.Category, Cell: d.Cell, Reports: d.Reports,
			ReportIDs: append([]string(nil), d.ReportIDs...), Alarms: append([]string(nil), d.Alarms...), First: d.First, Last: d.Last}
		k := mkey{"c:" + d.Category, d.Cell}
		m.open[k] = append(m.open[k], inc)
		m.class[inc] = k.class
		m.ids[inc.ID] = inc
	}
	if !inc.Done.IsZero() && !at.After(inc.Done) {
		return
	}
	inc.Done, inc.until = at, at.Add(m.reopen(inc.Category))
	heap.Push(&m.done, dent{inc, inc.until})
}

func (m *Merger) joinLocked(inc *Merged, c *Candidate) {
	if c.Alarm != "" {
		inc.Alarms = append(inc.Alarms, c.ID)
	} else {
		inc.Reports++
		if len(inc.ReportIDs) < m.opt.MaxIDs {
			inc.ReportIDs = append(inc.ReportIDs, c.ID)
		}
	}
	if inc.Category == "" {
		inc.Category = c.Category
	}
	if c.Time.Before(inc.First) {
		inc.First = c.Time
	}
	if c.Time.After(inc.Last) {
		inc.Last = c.Time
	}
	m.signals[c.ID] = inc
	inc.sigs = append(inc.sigs, c.ID)
	m.queue = append(m.queue, qent{inc, inc.Last})
}

// Incident returns a copy of the incident with id, while the Merger still
// holds it.
func (m *Merger) Incident(id string) (Merged, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inc, ok := m.ids[id]
	if !ok {
		return Merged{}, false
	}
	out := *inc
	out.ReportIDs = append([]string(nil), inc.ReportIDs...)
	out.Alarms = append([]string(nil), inc.Alarms...)
	out.sigs = nil
	return out, true
}

// Len returns the number of incidents held.
func (m *Merger) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.ids)
}

// Expire forgets the incidents that no signal at or after now could join.
func (m *Merger) Expire(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.After(m.latest) {
		m.latest = now
	}
	m.sweepLocked()
}

// sweepLocked drops incidents older than the longest window before the
// latest signal, oldest first from the queue, so each add pays only for
// what expires; then, while there are more than MaxOpen, the least
// recently reported.
func (m *Merger) sweepLocked() {
	cut := m.latest.Add(-m.maxWin)
	for m.head < len(m.queue) && m.queue[m.head].last.Before(cut) {
		e := m.queue[m.head]
		m.queue[m.head] = qent{}
		m.head++
		if e.last.Equal(e.inc.Last) && m.ids[e.inc.ID] == e.inc && e.inc.Done.IsZero() {
			m.unindexLocked(e.inc)
			m.dropLocked(e.inc)
		}
	}
	for len(m.done) > 0 && m.done[0].until.Before(m.latest) {
		e := heap.Pop(&m.done).(dent)
		if e.until.Equal(e.inc.until) && !e.inc.Done.IsZero() && m.ids[e.inc.ID] == e.inc {
			m.unindexLocked(e.inc)
			m.dropLocked(e.inc)
		}
	}
	if m.head > 1024 && m.head > len(m.queue)/2 {
		m.queue = append(m.queue[:0], m.queue[m.head:]...)
		m.head = 0
	}
	if len(m.ids) <= m.opt.MaxOpen {
		return
	}
	// Over the bound: forget the least recently reported tenth at once, so
	// that the sort is paid once per many adds.
	all := make([]*Merged, 0, len(m.ids))
	for _, inc := range m.ids {
		all = append(all, inc)
	}
	slices.SortFunc(all, func(a, b *Merged) int { return a.Last.Compare(b.Last) })
	for _, inc := range all[:len(all)-m.opt.MaxOpen*9/10] {
		m.unindexLocked(inc)
		m.dropLocked(inc)
	}
}

// unindexLocked removes inc from the (class, cell) index.
func (m *Merger) unindexLocked(inc *Merged) {
	k := mkey{m.class[inc], inc.Cell}
	incs := slices.DeleteFunc(m.open[k], func(x *Merged) bool { return x == inc })
	if len(incs) == 0 {
		delete(m.open, k)
	} else {
		m.open[k] = incs
	}
}

func (m *Merger) dropLocked(inc *Merged) {
	for _, id := range inc.sigs {
		delete(m.signals, id)
	}
	delete(m.class, inc)
	delete(m.ids, inc.ID)
}

// dent is a done incident and the end of its reopen window when it was
// pushed; an entry whose time is no longer the incident's is stale.
type dent struct {
	inc   *Merged
	until time.Time
}

type doneHeap []dent

func (h doneHeap) Len() int           { return len(h) }
func (h doneHeap) Less(i, j int) bool { return h[i].until.Before(h[j].until) }
func (h doneHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *doneHeap) Push(x any)        { *h = append(*h, x.(dent)) }
func (h *doneHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = dent{}
	*h = old[:len(old)-1]
	return x
}
