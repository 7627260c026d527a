package tasks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/segmentio/kafka-go"
)

// ErrNotOwned is returned for a task whose partition another replica holds
// (or nobody, while a partition moves). The error names the partition.
var ErrNotOwned = errors.New("the task's partition is held by another replica")

// ownership is the set of partitions a replica holds when the incidents are
// split across replicas (Config.Partitions > 0).
type ownership struct {
	mu   sync.RWMutex
	held map[int]bool
}

// Partition returns the partition of the transitions and changes topics an
// incident's records go to: kafka-go's Hash balancer (FNV-1a, as Sarama
// computes it) over Config.Partitions partitions. It is 0 when the service
// holds every incident.
func (s *Service) Partition(id string) int {
	n := s.cfg.Partitions
	if n <= 0 {
		return 0
	}
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	p := int32(h) % int32(n)
	if p < 0 {
		p = -p
	}
	return int(p)
}

// Owns reports whether this replica holds the incident's partition.
func (s *Service) Owns(id string) bool {
	if s.cfg.Partitions <= 0 {
		return true
	}
	s.owned.mu.RLock()
	defer s.owned.mu.RUnlock()
	return s.owned.held[s.Partition(id)]
}

// Held returns the partitions this replica holds, in order.
func (s *Service) Held() []int {
	s.owned.mu.RLock()
	defer s.owned.mu.RUnlock()
	out := make([]int, 0, len(s.owned.held))
	for p := range s.owned.held {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func (s *Service) notOwned(id string) error {
	return fmt.Errorf("task %s in partition %d: %w", id, s.Partition(id), ErrNotOwned)
}

// OpenPartition takes over partition p: it replays p of the transitions
// topic into the service, then holds p, so steps and adoptions of its
// incidents are taken here. Deadlines that passed while nobody held p come
// due at once, and RunTimers escalates them.
func (s *Service) OpenPartition(ctx context.Context, brokers []string, topic string, p int) (int, error) {
	conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		return 0, fmt.Errorf("replaying %s/%d: dialing %s: %w", topic, p, brokers[0], err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		return 0, fmt.Errorf("replaying %s/%d: reading partitions: %w", topic, p, err)
	}
	if len(parts) != s.cfg.Partitions {
		return 0, fmt.Errorf("replaying %s: %d partitions, but incidents are split over %d", topic, len(parts), s.cfg.Partitions)
	}
	i := slices.IndexFunc(parts, func(q kafka.Partition) bool { return q.ID == p })
	if i < 0 {
		return 0, fmt.Errorf("replaying %s: no partition %d", topic, p)
	}
	n, err := s.loadPartition(ctx, brokers, parts[i])
	if err != nil {
		s.dropPartition(p)
		return n, err
	}
	s.owned.mu.Lock()
	s.owned.held[p] = true
	s.owned.mu.Unlock()
	// Timers that came due during the replay were dropped, as p was not
	// held yet: queue them again now that it is.
	s.each(func(t *lifecycle.Task) {
		if s.Partition(t.ID) == p {
			s.schedule(t)
		}
	})
	return n, nil
}

// ClosePartition lets partition p go: its tasks are dropped from memory, and
// steps on them are refused with ErrNotOwned from now on. A step being taken
// when it is called finishes first. It returns the tasks dropped.
func (s *Service) ClosePartition(p int) int {
	s.owned.mu.Lock()
	delete(s.owned.held, p)
	s.owned.mu.Unlock()
	return s.dropPartition(p)
}

func (s *Service) dropPartition(p int) int {
	n := 0
	for i := range s.stripes {
		st := &s.stripes[i]
		st.mu.Lock()
		for id := range st.tasks {
			if s.Partition(id) == p {
				delete(st.tasks, id)
				n++
			}
		}
		st.mu.Unlock()
	}
	return n
}

// PartitionOpener returns the bus.OpenFunc of the changes topic's
// partitions: each partition assigned to this replica is rebuilt from the
// same partition of the transitions topic, then adopts from the changes;
// when it is revoked its tasks are dropped.
func (s *Service) PartitionOpener(brokers []string, transitions string, opened, closed func(p int)) bus.OpenFunc {
	return func(ctx context.Context, _ string, p int) (bus.PartitionHandler, error) {
		n, err := s.OpenPartition(ctx, brokers, transitions, p)
		if err != nil {
			return nil, err
		}
		s.cfg.Logger.Info("partition taken over", "partition", p, "replayed", n)
		if opened != nil {
			opened(p)
		}
		return &partitionHandler{s: s, p: p, handle: s.ChangeHandler(), closed: closed}, nil
	}
}

type partitionHandler struct {
	s      *Service
	p      int
	handle bus.Handler
	closed func(p int)
}

func (h *partitionHandler) Handle(ctx context.Context, batch []kafka.Message) error {
	return h.handle(ctx, batch)
}

func (h *partitionHandler) Close(context.Context) error {
	n := h.s.ClosePartition(h.p)
	h.s.cfg.Logger.Info("partition let go", "partition", h.p, "tasks", n)
	if h.closed != nil {
		h.closed(h.p)
	}
	return nil
}

var _ bus.PartitionHandler = (*partitionHandler)(nil)
