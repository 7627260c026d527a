package tasks

import (
	"errors"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/sla"
	"github.com/segmentio/kafka-go"
)

// Notify is told of every recorded transition, after it is durable, with the
// task as it is after it. It must not block: delivery is its own business.
type Notify func(t *lifecycle.Task, tr cityops.Transition)

// Config wires a Service.
type Config struct {
	Machine     *lifecycle.Machine
	Policy      *sla.Policy
	Center      string      // the department id of the operations center: returned tasks go back to it
	Transitions bus.Publish // the transitions topic
	Changes     bus.Publish // the incident changes topic
	Notify      Notify      // optional
	// Fanout returns records to write in the same call to Changes as the
	// incident's change, e.g. the owner's department feed, so they are as
	// durable as the step; optional. Its records name their topics; the
	// change names none.
	Fanout func(t *lifecycle.Task, tr cityops.Transition) []kafka.Message
	// CategoryNames names categories the center sets (code -> name in the
	// city's first language); optional.
	CategoryNames map[string]string
	Retention     time.Duration // how long finished tasks stay in memory; 0 keeps them
	// Reopen says how long after closure a repeat complaint of a category
	// reopens its incident (the pack's rules.MergeConfig.ReopenWindow);
	// nil: seven days. Retention should be at least as long.
	Reopen func(category string) time.Duration
	// Partitions splits incidents across replicas: the partition count of
	// the transitions and changes topics, whose partition p belongs to the
	// replica that holds p (OpenPartition). 0: this replica holds every
	// incident (Load).
	Partitions int
	Now        func() time.Time
	Logger     *slog.Logger
}

const nStripes = 256

type stripe struct {
	mu    sync.Mutex
	tasks map[string]*lifecycle.Task
}

// Service holds the tasks it owns.
type Service struct {
	cfg     Config
	seed    maphash.Seed
	stripes [nStripes]stripe
	timers  timerQueue
	intern  interner
	owned   ownership
	ready   atomic.Bool // set once the log is replayed
	counts  counters

	escalations sync.Map // department id → *atomic.Uint64 of escalations this replica made
}

// ErrNotReady is returned by steps asked for before the log is replayed.
var ErrNotReady = errors.New("tasks not loaded yet")

// Ready reports whether the log has been replayed and steps are taken.
func (s *Service) Ready() bool { return s.ready.Load() }

// SetReady marks the log as replayed. Load calls it; a service fed only by
// Replay calls it itself.
func (s *Service) SetReady() { s.ready.Store(true) }

// New returns an empty service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		// UTC: the times of transitions go on topics in RFC 3339 UTC.
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Notify == nil {
		cfg.Notify = func(*lifecycle.Task, cityops.Transition) {}
	}
	if cfg.Reopen == nil {
		cfg.Reopen = func(string) time.Duration { return 7 * 24 * time.Hour }
	}
	s := &Service{cfg: cfg, seed: maphash.MakeSeed()}
	for i := range s.stripes {
		s.stripes[i].tasks = map[string]*lifecycle.Task{}
	}
	s.timers.wake = make(chan struct{}, 1)
	s.intern.m = map[string]string{}
	s.owned.held = map[int]bool{}
	s.counts = newCounters()
	return s
}

func (s *Service) stripe(id string) *stripe {
	return &s.stripes[s.stripeIndex(id)]
}

func (s *Service) stripeIndex(id string) int {
	return int(maphash.String(s.seed, id) % nStripes)
}

// Get returns a copy of the task with id.
func (s *Service) Get(id string) (lifecycle.Task, bool) {
	st := s.stripe(id)
	st.mu.Lock()
	defer st.mu.Unlock()
	t, ok := st.tasks[id]
	if !ok {
		return lifecycle.Task{}, false
	}
	return *t, true
}

// Len returns the number of tasks held.
func (s *Service) Len() int {
	n := 0
	for i := range s.stripes {
		st := &s.stripes[i]
		st.mu.Lock()
		n += len(st.tasks)
		st.mu.Unlock()
	}
	return n
}

// each calls f with every task, one stripe locked at a time.
func (s *Service) each(f func(t *lifecycle.Task)) {
	for i := range s.stripes {
		st := &s.stripes[i]
		st.mu.Lock()
		for _, t := range st.tasks {
			f(t)
		}
		st.mu.Unlock()
	}
}

// Topic is the transitions topic: every step of every incident, keyed by
// incident id.
const Topic = bus.TopicTransitions

// Stages returns the due times of the stages of t's deadline.
func (s *Service) Stages(t *lifecycle.Task) []sla.StageDeadline {
	if t.Dispatched.IsZero() {
		return nil
	}
	return s.cfg.Policy.Deadlines(t.Category, t.Dispatched)
}
