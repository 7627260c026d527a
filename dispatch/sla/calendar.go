package sla

import (
	"fmt"
	"time"
)

// Span is a working period of a day, in minutes after midnight.
type Span struct{ From, To int }

// Calendar says when the city works.
type Calendar struct {
	Location *time.Location
	Weekend  map[time.Weekday]bool
	Holidays map[string]bool // "2006-01-02": days off that would be working days
	Workdays map[string]bool // "2006-01-02": make-up working days that fall on a weekend
	Hours    []Span          // the working periods of a working day, in order
}

// DefaultCalendar works Monday to Friday, 09:00-12:00 and 13:00-18:00.
func DefaultCalendar(loc *time.Location) *Calendar {
	if loc == nil {
		loc = time.UTC
	}
	return &Calendar{
		Location: loc,
		Weekend:  map[time.Weekday]bool{time.Saturday: true, time.Sunday: true},
		Hours:    []Span{{9 * 60, 12 * 60}, {13 * 60, 18 * 60}},
	}
}

// Working reports whether the day of t (in the city's zone) is a working day.
func (c *Calendar) Working(t time.Time) bool {
	d := t.In(c.Location).Format(time.DateOnly)
	if c.Workdays[d] {
		return true
	}
	return !c.Holidays[d] && !c.Weekend[t.In(c.Location).Weekday()]
}

// Day is the working time of one working day.
func (c *Calendar) Day() time.Duration {
	var m int
	for _, s := range c.Hours {
		m += s.To - s.From
	}
	return time.Duration(m) * time.Minute
}

// spans calls f with each working period from the day of t on, in order,
// until f returns false. It gives up after ten years without working time.
func (c *Calendar) spans(t time.Time, f func(from, to time.Time) bool) error {
	local := t.In(c.Location)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, c.Location)
	for i := 0; i < 3660; i++ {
		if c.Working(day) {
			for _, s := range c.Hours {
				from := day.Add(time.Duration(s.From) * time.Minute)
				to := day.Add(time.Duration(s.To) * time.Minute)
				if !f(from, to) {
					return nil
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return fmt.Errorf("no working time within ten years of %s", t.Format(time.DateOnly))
}

// Add returns the time d of working time after start. A start outside
// working hours counts from the next working period.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 || len(c.Hours) == 0 {
		return start.Add(d)
	}
	end := start
	left := d
	err := c.spans(start, func(from, to time.Time) bool {
		if !to.After(start) {
			return true
		}
		from = later(from, start)
		if n := to.Sub(from); n < left {
			left -= n
			return true
		}
		end = from.Add(left)
		return false
	})
	if err != nil {
		return start.Add(d) // a calendar without working days: count calendar time
	}
	return end
}

// Between returns the working time between a and b.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) || len(c.Hours) == 0 {
		return 0
	}
	var sum time.Duration
	_ = c.spans(a, func(from, to time.Time) bool {
		if !from.Before(b) {
			return false
		}
		from, to = later(from, a), earlier(to, b)
		if to.After(from) {
			sum += to.Sub(from)
		}
		return true
	})
	return sum
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
