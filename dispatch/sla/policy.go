package sla

import (
	"time"

	"github.com/cityops/cityops"
)

// Stage is one step of a category's deadline, counted from dispatch.
type Stage struct {
	Name    string
	Allowed time.Duration // calendar time, or working time when Working
	Working bool
}

// StageDeadline is a stage with its due time.
type StageDeadline struct {
	Name string    `json:"name"`
	Due  time.Time `json:"due"`
}

// Escalation says when each level of escalation comes.
type Escalation struct {
	WarnBefore    float64       // warn when this fraction of the allowed time is left (0.2)
	DistrictAfter time.Duration // the district center, this long after the breach
	CityAfter     time.Duration // the city center, this long after the breach
}

// Callback is the policy of the callbacks (回访) after resolution.
type Callback struct {
	// Window: a dissatisfied callback this long after the task was resolved
	// reopens it for rework (重办); a later one is only recorded.
	Window time.Duration
	// MaxRedos: reopenings for dissatisfied callbacks before the center
	// arbitrates who redoes the task.
	MaxRedos int
}

// DefaultResponse is the response time of a pack that names none.
const DefaultResponse = 2 * time.Hour

// Policy holds a city's calendar, deadlines and escalation.
type Policy struct {
	Calendar   *Calendar
	Stages     map[string][]Stage // category code -> stages; the last one is the deadline
	Escalation Escalation
	MaxReturns int
	Callback   Callback
	// Response is the time a department has to accept a task handed to it
	// (响应): an accept within it counts toward the response rate.
	Response time.Duration
	fallback map[string]time.Duration // category code -> its deadline_hours, calendar time
}

// NewPolicy returns the default policy for the categories: each category's
// deadline_hours in calendar hours, the default calendar in loc.
func NewPolicy(loc *time.Location, cats []cityops.Category) *Policy {
	p := &Policy{
		Calendar:   DefaultCalendar(loc),
		Stages:     map[string][]Stage{},
		Escalation: Escalation{WarnBefore: 0.2, DistrictAfter: 4 * time.Hour, CityAfter: 24 * time.Hour},
		MaxReturns: 2,
		Callback:   Callback{Window: 15 * 24 * time.Hour, MaxRedos: 2},
		Response:   DefaultResponse,
		fallback:   map[string]time.Duration{},
	}
	for _, c := range cats {
		if c.DeadlineHours > 0 {
			p.fallback[c.Code] = time.Duration(c.DeadlineHours) * time.Hour
		}
	}
	return p
}

func (p *Policy) stages(category string) []Stage {
	if s := p.Stages[category]; len(s) > 0 {
		return s
	}
	if d, ok := p.fallback[category]; ok {
		return []Stage{{Name: "resolve", Allowed: d}}
	}
	return nil
}

// add returns start plus d, in UTC: deadlines travel on topics in RFC 3339
// UTC, whatever the city's time zone.
func (p *Policy) add(start time.Time, d time.Duration, working bool) time.Time {
	if working {
		return p.Calendar.Add(start, d).UTC()
	}
	return start.Add(d).UTC()
}

// Deadlines returns each stage of category with its due time for a clock
// started at start; nil when the category has no deadline.
func (p *Policy) Deadlines(category string, start time.Time) []StageDeadline {
	st := p.stages(category)
	out := make([]StageDeadline, len(st))
	for i, s := range st {
		out[i] = StageDeadline{Name: s.Name, Due: p.add(start, s.Allowed, s.Working)}
	}
	return out
}

// Deadline is the due time of category's last stage, zero when none.
func (p *Policy) Deadline(category string, start time.Time) time.Time {
	d := p.Deadlines(category, start)
	if len(d) == 0 {
		return time.Time{}
	}
	return d[len(d)-1].Due
}

func (p *Policy) working(category string) bool {
	st := p.stages(category)
	return len(st) > 0 && st[len(st)-1].Working
}

// Extend moves deadline by hours, counted as the category counts its time.
func (p *Policy) Extend(category string, deadline time.Time, hours float64) time.Time {
	return p.add(deadline, time.Duration(hours*float64(time.Hour)), p.working(category))
}

// Resumed moves deadline by the time the clock was paused.
func (p *Policy) Resumed(category string, deadline, pausedAt, now time.Time) time.Time {
	if p.working(category) {
		return p.Calendar.Add(deadline, p.Calendar.Between(pausedAt, now)).UTC()
	}
	return deadline.Add(now.Sub(pausedAt)).UTC()
}

// NextEscalation returns when a task at level, dispatched at start with
// deadline, next escalates; ok is false when nothing is left to escalate.
func (p *Policy) NextEscalation(level int, start, deadline time.Time) (at time.Time, ok bool) {
	if deadline.IsZero() {
		return time.Time{}, false
	}
	switch level {
	case 0:
		return deadline.Add(-time.Duration(p.Escalation.WarnBefore * float64(deadline.Sub(start)))), true
	case 1:
		return deadline, true
	case 2:
		return deadline.Add(p.Escalation.DistrictAfter), true
	case 3:
		return deadline.Add(p.Escalation.CityAfter), true
	}
	return time.Time{}, false
}
