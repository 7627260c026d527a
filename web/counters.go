package web

import (
	"time"

	"github.com/cityops/cityops"
)

// countersPeriod is how often the counters are computed, and so the most
// often they are sent.
const countersPeriod = time.Second

// scopeCity is the counters' scope of the center and public views.
const scopeCity = "city"

// figures are the counters of one scope.
type figures struct {
	open, overdue, finished, onTime int
}

// sentCounters are the counters of one scope as last computed.
type sentCounters struct {
	f   figures
	day string
	msg *shared
}

// dayFigures counts the incidents that finished today in the city's time
// zone, each once, by scope.
type dayFigures struct {
	loc      *time.Location
	day      string          // YYYY-MM-DD
	finished map[string]bool // incident id -> finished on time
	by       map[string]*figures
}

func newDayFigures(loc *time.Location) dayFigures {
	return dayFigures{loc: loc, finished: make(map[string]bool), by: make(map[string]*figures)}
}

// roll starts a new day when now is on another day than the figures.
func (d *dayFigures) roll(now time.Time) {
	if day := now.In(d.loc).Format(time.DateOnly); day != d.day {
		d.day = day
		clear(d.finished)
		clear(d.by)
	}
}

// record counts inc when it has finished today and was not counted yet.
// Its updated time says when it finished, so a replayed log counts the same.
func (d *dayFigures) record(inc *cityops.Incident, now time.Time) {
	d.roll(now)
	switch inc.Status {
	case cityops.StatusResolved, cityops.StatusVerified, cityops.StatusClosed:
	default:
		return
	}
	if _, ok := d.finished[inc.ID]; ok || inc.Updated.In(d.loc).Format(time.DateOnly) != d.day {
		return
	}
	onTime := inc.Deadline.IsZero() || !inc.Updated.After(inc.Deadline)
	d.finished[inc.ID] = onTime
	for _, scope := range []string{scopeCity, View{Role: RoleDepartment, Department: inc.DepartmentID}.counterScope()} {
		f := d.by[scope]
		if f == nil {
			f = &figures{}
			d.by[scope] = f
		}
		f.finished++
		if onTime {
			f.onTime++
		}
	}
}

// countersLocked returns the counters message of scope, computing the
// counters when the scope has none yet.
func (h *hub) countersLocked(scope string, now time.Time) *shared {
	h.day.roll(now)
	if s, ok := h.sent[scope]; ok && s.day == h.day.day {
		return s.msg
	}
	h.refreshLocked(now, scope)
	return h.sent[scope].msg
}

// refreshLocked computes the counters of every scope there is (and of
// extra) and returns the scopes whose counters changed.
func (h *hub) refreshLocked(now time.Time, extra string) map[string]bool {
	h.day.roll(now)
	figs := map[string]*figures{scopeCity: {}}
	if extra != "" {
		figs[extra] = &figures{}
	}
	for scope := range h.sent {
		figs[scope] = &figures{}
	}
	city := figs[scopeCity]
	h.counts.tick(now)
	for dept, open := range h.counts.open {
		if open == 0 {
			delete(h.counts.open, dept)
			delete(h.counts.overdue, dept)
			continue
		}
		overdue := h.counts.overdue[dept]
		city.open += open
		city.overdue += overdue
		scope := View{Role: RoleDepartment, Department: dept}.counterScope()
		f := figs[scope]
		if f == nil {
			f = &figures{}
			figs[scope] = f
		}
		f.open, f.overdue = open, overdue
	}
	for scope, d := range h.day.by {
		f := figs[scope]
		if f == nil {
			f = &figures{}
			figs[scope] = f
		}
		f.finished, f.onTime = d.finished, d.onTime
	}
	changed := make(map[string]bool)
	for scope, f := range figs {
		if s, ok := h.sent[scope]; ok && s.f == *f && s.day == h.day.day {
			continue
		}
		msg, err := newShared(countersMessage(scope, *f, h.day.day, now))
		if err != nil {
			continue // a text frame of JSON always prepares
		}
		h.sent[scope] = sentCounters{f: *f, day: h.day.day, msg: msg}
		changed[scope] = true
	}
	return changed
}

// countersLoop computes the counters every countersPeriod and sends those
// that changed to the clients of their scope, until the hub shuts down.
func (h *hub) countersLoop() {
	t := time.NewTicker(countersPeriod)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case now := <-t.C:
			h.mu.Lock()
			changed := h.refreshLocked(now, "")
			if len(changed) > 0 {
				for cl := range h.clients {
					cl.mu.Lock()
					scope := cl.view.counterScope()
					cl.mu.Unlock()
					if changed[scope] {
						cl.setCounters(h.sent[scope].msg)
					}
				}
			}
			h.mu.Unlock()
		}
	}
}

// countersMessage returns the counters message of scope.
func countersMessage(scope string, f figures, day string, now time.Time) []byte {
	var rate *float64
	if f.finished > 0 {
		r := float64(f.onTime) / float64(f.finished)
		rate = &r
	}
	return mustJSON(struct {
		Type     string    `json:"type"`
		Scope    string    `json:"scope"`
		Open     int       `json:"open"`
		Overdue  int       `json:"overdue"`
		Finished int       `json:"finished_today"`
		OnTime   int       `json:"on_time_today"`
		Rate     *float64  `json:"on_time_rate"`
		Day      string    `json:"day"`
		At       time.Time `json:"at"`
	}{"counters", scope, f.open, f.overdue, f.finished, f.onTime, rate, day, now.UTC()})
}
