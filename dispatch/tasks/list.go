package tasks

import (
	"slices"
	"strings"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
)

// Filter selects tasks to list. Empty fields match everything.
type Filter struct {
	Department string // the lead department
	Member     string // a department that leads or cooperates on the task
	Status     cityops.Status
	Category   string
	Area       string // the area or its district
	Open       bool   // only tasks still open
	Overdue    bool   // only open tasks past their deadline
	Offset     int
	Limit      int // default 50, at most 1000
}

// List returns one page of the tasks that match f, newest first, and how
// many match in all.
func (s *Service) List(f Filter) (page []lifecycle.Task, total int) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 1000)
	now := s.cfg.Now()
	var all []lifecycle.Task
	s.each(func(t *lifecycle.Task) {
		if f.match(t, now) {
			all = append(all, *t)
		}
	})
	slices.SortFunc(all, func(a, b lifecycle.Task) int {
		if c := b.Reported.Compare(a.Reported); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	total = len(all)
	if f.Offset >= total {
		return nil, total
	}
	return all[f.Offset:min(total, f.Offset+f.Limit)], total
}

func (f *Filter) match(t *lifecycle.Task, now time.Time) bool {
	switch {
	case f.Department != "" && t.DepartmentID != f.Department,
		f.Member != "" && t.DepartmentID != f.Member && !slices.Contains(t.Cooperating, f.Member),
		f.Status != "" && t.Status != f.Status,
		f.Category != "" && t.Category != f.Category,
		f.Area != "" && t.AreaID != f.Area && t.DistrictID != f.Area,
		f.Open && !t.Status.Open(),
		f.Overdue && (!t.Status.Open() || t.Deadline.IsZero() || !now.After(t.Deadline)):
		return false
	}
	return true
}
