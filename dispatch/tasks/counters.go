package tasks

import (
	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/prometheus/client_golang/prometheus"
)

// counters count the steps of the citizen's side of the loop this replica
// took (not those it replayed): repeat complaints, reopenings and
// callbacks, each against the department it counts for.
type counters struct {
	repeats  *prometheus.CounterVec
	reopens  *prometheus.CounterVec
	feedback *prometheus.CounterVec
}

func newCounters() counters {
	return counters{
		repeats: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cityops_repeat_complaints_total",
			Help: "Repeat complaints (重复投诉): reports that reopened a resolved or closed incident, by its department."}, []string{"department"}),
		reopens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cityops_task_reopens_total",
			Help: "Tasks reopened after resolution, by department and reason (repeat, dissatisfied)."}, []string{"department", "reason"}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cityops_task_feedback_total",
			Help: "Callbacks (回访) recorded, by department and result."}, []string{"department", "result"}),
	}
}

// count counts tr, a step just recorded.
func (c *counters) count(_ *lifecycle.Task, tr cityops.Transition) {
	switch lifecycle.Action(tr.Action) {
	case lifecycle.Reopen:
		c.reopens.WithLabelValues(tr.Department, tr.Reason).Inc()
		if tr.Reason == lifecycle.ReasonRepeat {
			c.repeats.WithLabelValues(tr.Department).Inc()
		}
	case lifecycle.Feedback:
		c.feedback.WithLabelValues(tr.Department, tr.Result).Inc()
	}
}

func (c *counters) describe(ch chan<- *prometheus.Desc) {
	c.repeats.Describe(ch)
	c.reopens.Describe(ch)
	c.feedback.Describe(ch)
}

func (c *counters) collect(ch chan<- prometheus.Metric) {
	c.repeats.Collect(ch)
	c.reopens.Collect(ch)
	c.feedback.Collect(ch)
}
