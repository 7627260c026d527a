package tasks

import (
	"time"

	"github.com/cityops/cityops/dispatch/lifecycle"
)

// sweepEvery is how often RunTimers drops finished tasks and stale timers.
const sweepEvery = 10 * time.Minute

// Sweep drops tasks closed or cancelled longer than the retention ago from
// memory (the log and the store keep them), and rebuilds the timer queue
// when stale timers outnumber the live tasks. It returns the tasks dropped.
func (s *Service) Sweep(now time.Time) int {
	dropped, held := 0, 0
	if s.cfg.Retention > 0 {
		cutoff := now.Add(-s.cfg.Retention)
		for i := range s.stripes {
			st := &s.stripes[i]
			st.mu.Lock()
			for id, t := range st.tasks {
				if !t.Status.Open() && t.Closed.Before(cutoff) {
					delete(st.tasks, id)
					dropped++
				}
			}
			held += len(st.tasks)
			st.mu.Unlock()
		}
	} else {
		held = s.Len()
	}
	s.timers.mu.Lock()
	stale := len(s.timers.h) > 2*held+1024
	if stale {
		s.timers.h = s.timers.h[:0]
	}
	s.timers.mu.Unlock()
	if stale {
		// A step taken meanwhile may queue its timer twice; the second is
		// dropped when it comes due, as its version is gone by then.
		s.each(func(t *lifecycle.Task) { s.schedule(t) })
	}
	return dropped
}
