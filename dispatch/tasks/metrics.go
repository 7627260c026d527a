package tasks

import (
	"slices"
	"sync/atomic"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/prometheus/client_golang/prometheus"
)

// The performance figures of the loop, per department (the task's owner)
// and area (its district), computed from the tasks held when scraped.
var (
	descTasks     = prometheus.NewDesc("cityops_tasks", "Tasks held, by department (the task's owner), area (its district) and state (open, overdue, closed, cancelled).", []string{"department", "area", "state"}, nil)
	descClosure   = prometheus.NewDesc("cityops_task_closure_ratio", "Closed tasks over all tasks not cancelled (结案率).", []string{"department", "area"}, nil)
	descOnTime    = prometheus.NewDesc("cityops_task_on_time_ratio", "Tasks closed by their deadline over closed tasks (按期结案率).", []string{"department", "area"}, nil)
	descRework    = prometheus.NewDesc("cityops_task_rework_ratio", "Closed tasks sent back for rework at least once over closed tasks (返工率).", []string{"department", "area"}, nil)
	descReturns   = prometheus.NewDesc("cityops_task_returns_per_incident", "Returns over tasks not cancelled.", []string{"department", "area"}, nil)
	descAcceptMed = prometheus.NewDesc("cityops_task_accept_median_seconds", "Median time from dispatch to acceptance.", []string{"department", "area"}, nil)
	descCloseMed  = prometheus.NewDesc("cityops_task_close_median_seconds", "Median time from dispatch to closure.", []string{"department", "area"}, nil)

	// The three rates of the citizen's loop (12345 scoring; docs/planners.md),
	// over every round of the tasks held: response (响应率), resolution
	// (解决率) and satisfaction (满意率).
	descResponse     = prometheus.NewDesc("cityops_task_response_ratio", "Accepts within the response time over accepts (响应率).", []string{"department", "area"}, nil)
	descResolution   = prometheus.NewDesc("cityops_task_resolution_ratio", "Closed rounds not reopened over closed rounds (解决率).", []string{"department", "area"}, nil)
	descSatisfaction = prometheus.NewDesc("cityops_task_satisfaction_ratio", "Satisfied and basically satisfied callbacks over callbacks (满意率).", []string{"department", "area"}, nil)
	// The counts behind them by department and category (bounded: a
	// category has one lead department, rarely a few), to sum as one likes.
	descRoundFigures = prometheus.NewDesc("cityops_task_round_figures", "Counts behind the three rates over the rounds of the tasks held, by department, category and figure: "+
		"accepts, accepts_on_time, closes, closes_on_time, reopened_closed, repeats, redone, rated, satisfied, basically_satisfied.", []string{"department", "category", "figure"}, nil)

	descEscalations = prometheus.NewDesc("cityops_task_escalations_total", "Escalations of overdue tasks this replica made, by department (the task's owner when it escalated).", []string{"department"}, nil)
)

type group struct {
	open, overdue, closed, cancelled, onTime, reworked, returns int
	accept, close                                               []float64
	rounds                                                      rounds
}

// rounds are the figures of every round of some tasks.
type rounds struct {
	accepts, acceptsOnTime, closes, closesOnTime, reopenedClosed, repeats, redone, rated, satisfied, basically int
}

// roundFigures names the fields of rounds as cityops_task_round_figures does.
var roundFigures = []string{"accepts", "accepts_on_time", "closes", "closes_on_time", "reopened_closed", "repeats", "redone", "rated", "satisfied", "basically_satisfied"}

func (r *rounds) add(t *lifecycle.Task) {
	r.accepts += t.Responses
	r.acceptsOnTime += t.OnTimeResponses
	r.closes += t.Closes
	r.closesOnTime += t.ClosesOnTime
	r.reopenedClosed += t.ReopenedClosed
	r.repeats += t.Repeats
	r.redone += t.Redone
	r.rated += t.Satisfied + t.BasicallySatisfied + t.Dissatisfied
	r.satisfied += t.Satisfied
	r.basically += t.BasicallySatisfied
}

func (r *rounds) values() []int {
	return []int{r.accepts, r.acceptsOnTime, r.closes, r.closesOnTime, r.reopenedClosed, r.repeats, r.redone, r.rated, r.satisfied, r.basically}
}

// rates are the three rates of r; ok is false for a rate with nothing to
// measure.
func (r *rounds) rates() (response, resolution, satisfaction float64, okResp, okRes, okSat bool) {
	if r.accepts > 0 {
		response, okResp = float64(r.acceptsOnTime)/float64(r.accepts), true
	}
	if r.closes > 0 {
		resolution, okRes = float64(r.closes-r.reopenedClosed)/float64(r.closes), true
	}
	if r.rated > 0 {
		satisfaction, okSat = float64(r.satisfied+r.basically)/float64(r.rated), true
	}
	return
}

// Collector returns a Prometheus collector of the loop's figures.
func (s *Service) Collector() prometheus.Collector { return collector{s} }

type collector struct{ s *Service }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descTasks, descClosure, descOnTime, descRework, descReturns, descAcceptMed, descCloseMed, descEscalations,
		descResponse, descResolution, descSatisfaction, descRoundFigures} {
		ch <- d
	}
	c.s.counts.describe(ch)
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	c.s.escalations.Range(func(k, v any) bool {
		ch <- prometheus.MustNewConstMetric(descEscalations, prometheus.CounterValue, float64(v.(*atomic.Uint64).Load()), k.(string))
		return true
	})
	c.s.counts.collect(ch)
	now := c.s.cfg.Now()
	groups := map[[2]string]*group{}
	byCategory := map[[2]string]*rounds{}
	c.s.each(func(t *lifecycle.Task) {
		k := [2]string{t.DepartmentID, t.DistrictID}
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
		}
		g.add(t, now)
		k = [2]string{t.DepartmentID, t.Category}
		r := byCategory[k]
		if r == nil {
			r = &rounds{}
			byCategory[k] = r
		}
		r.add(t)
	})
	for k, r := range byCategory {
		for i, v := range r.values() {
			ch <- prometheus.MustNewConstMetric(descRoundFigures, prometheus.GaugeValue, float64(v), k[0], k[1], roundFigures[i])
		}
	}
	for k, g := range groups {
		gauge := func(d *prometheus.Desc, v float64, extra ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{k[0], k[1]}, extra...)...)
		}
		gauge(descTasks, float64(g.open), "open")
		gauge(descTasks, float64(g.overdue), "overdue")
		gauge(descTasks, float64(g.closed), "closed")
		gauge(descTasks, float64(g.cancelled), "cancelled")
		if n := g.open + g.closed; n > 0 {
			gauge(descClosure, float64(g.closed)/float64(n))
			gauge(descReturns, float64(g.returns)/float64(n))
		}
		if g.closed > 0 {
			gauge(descOnTime, float64(g.onTime)/float64(g.closed))
			gauge(descRework, float64(g.reworked)/float64(g.closed))
		}
		if len(g.accept) > 0 {
			gauge(descAcceptMed, median(g.accept))
		}
		if len(g.close) > 0 {
			gauge(descCloseMed, median(g.close))
		}
		resp, res, sat, okResp, okRes, okSat := g.rounds.rates()
		if okResp {
			gauge(descResponse, resp)
		}
		if okRes {
			gauge(descResolution, res)
		}
		if okSat {
			gauge(descSatisfaction, sat)
		}
	}
}

func (g *group) add(t *lifecycle.Task, now time.Time) {
	g.rounds.add(t)
	switch t.Status {
	case cityops.StatusCancelled:
		g.cancelled++
		return
	case cityops.StatusClosed:
		g.closed++
		if t.Deadline.IsZero() || !t.Closed.After(t.Deadline) {
			g.onTime++
		}
		if t.Reworks > 0 {
			g.reworked++
		}
		if !t.Dispatched.IsZero() {
			g.close = append(g.close, t.Closed.Sub(t.Dispatched).Seconds())
		}
	default:
		g.open++
		if !t.Deadline.IsZero() && now.After(t.Deadline) {
			g.overdue++
		}
	}
	g.returns += t.Returns
	if !t.Accepted.IsZero() && !t.Dispatched.IsZero() {
		g.accept = append(g.accept, t.Accepted.Sub(t.Dispatched).Seconds())
	}
}

func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
