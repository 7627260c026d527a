package tasks

import (
	"container/heap"
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cityops/cityops/dispatch/lifecycle"
)

// timer is a due escalation of one version of a task. A task that moved on
// leaves its old timers behind; they are dropped when they come due.
type timer struct {
	at      int64 // unix nanoseconds
	id      string
	version uint64
}

type timerHeap []timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type timerQueue struct {
	mu   sync.Mutex
	h    timerHeap
	wake chan struct{}
}

func (q *timerQueue) push(tm timer) {
	q.mu.Lock()
	first := len(q.h) == 0 || tm.at < q.h[0].at
	heap.Push(&q.h, tm)
	q.mu.Unlock()
	if first {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
}

// due pops the timers due at now; next is when the following one comes due.
func (q *timerQueue) due(now int64) (out []timer, next int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.h) > 0 && q.h[0].at <= now {
		out = append(out, heap.Pop(&q.h).(timer))
	}
	if len(q.h) > 0 {
		next = q.h[0].at
	}
	return out, next
}

// schedule queues the task's next escalation, if its clock runs.
func (s *Service) schedule(t *lifecycle.Task) {
	if !running(t) {
		return
	}
	at, ok := s.cfg.Policy.NextEscalation(t.Level, t.Dispatched, t.Deadline)
	if !ok {
		return
	}
	s.timers.push(timer{at: at.UnixNano(), id: t.ID, version: t.Version})
}

// running reports whether a task's clock runs and can escalate.
func running(t *lifecycle.Task) bool {
	switch t.Status {
	case "dispatched", "accepted", "in_progress":
		return t.PausedAt.IsZero() && !t.Deadline.IsZero()
	}
	return false
}

// RunTimers escalates tasks as their times come, until ctx is done. Call it
// after the log is replayed: escalations that fell due meanwhile fire at once,
// one level after another, each a recorded transition.
func (s *Service) RunTimers(ctx context.Context) error {
	lastSweep := s.cfg.Now()
	for {
		if now := s.cfg.Now(); now.Sub(lastSweep) >= sweepEvery {
			if n := s.Sweep(now); n > 0 {
				s.cfg.Logger.Info("finished tasks dropped from memory", "tasks", n)
			}
			lastSweep = now
		}
		next, err := s.FireDue(ctx)
		if err != nil {
			return err
		}
		wait := time.Second
		if next > 0 {
			wait = min(wait, time.Duration(next-s.cfg.Now().UnixNano()))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.timers.wake:
		case <-time.After(max(wait, time.Millisecond)):
		}
	}
}

// FireDue escalates every task whose time has come by the service's clock,
// and returns when the next timer comes due (0 when none). A failed
// escalation is retried a second later.
func (s *Service) FireDue(ctx context.Context) (next int64, err error) {
	for {
		due, next := s.timers.due(s.cfg.Now().UnixNano())
		if len(due) == 0 {
			return next, nil
		}
		for _, tm := range due {
			if err := s.escalate(ctx, tm); err != nil {
				if ctx.Err() != nil {
					return 0, nil
				}
				s.cfg.Logger.Warn("escalating failed, retrying", "incident", tm.id, "err", err)
				tm.at = s.cfg.Now().Add(time.Second).UnixNano()
				s.timers.push(tm)
				return tm.at, nil
			}
		}
	}
}

func (s *Service) escalate(ctx context.Context, tm timer) error {
	st := s.stripe(tm.id)
	st.mu.Lock()
	defer st.mu.Unlock()
	t, ok := st.tasks[tm.id]
	if !ok || t.Version != tm.version || !running(t) || !s.Owns(t.ID) {
		return nil
	}
	dept := t.DepartmentID
	if err := s.doLocked(ctx, t, lifecycle.Command{Action: lifecycle.Escalate, Actor: lifecycle.Actor{System: true}}); err != nil {
		return err
	}
	n, _ := s.escalations.LoadOrStore(dept, new(atomic.Uint64))
	n.(*atomic.Uint64).Add(1)
	return nil
}
