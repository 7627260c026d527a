package tasks

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

// Load replays every partition of the transitions topic, from its first
// record to the last one written before the call, into s.
func (s *Service) Load(ctx context.Context, brokers []string, topic string) (int, error) {
	conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		return 0, fmt.Errorf("replaying %s: dialing %s: %w", topic, brokers[0], err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		return 0, fmt.Errorf("replaying %s: reading partitions: %w", topic, err)
	}
	n := 0
	for _, p := range parts {
		k, err := s.loadPartition(ctx, brokers, p)
		n += k
		if err != nil {
			return n, err
		}
	}
	s.SetReady()
	return n, nil
}

func (s *Service) loadPartition(ctx context.Context, brokers []string, p kafka.Partition) (int, error) {
	leader := net.JoinHostPort(p.Leader.Host, strconv.Itoa(p.Leader.Port))
	conn, err := (&kafka.Dialer{}).DialLeader(ctx, "tcp", leader, p.Topic, p.ID)
	if err != nil {
		return 0, fmt.Errorf("replaying %s/%d: %w", p.Topic, p.ID, err)
	}
	first, last, err := conn.ReadOffsets()
	conn.Close()
	if err != nil {
		return 0, fmt.Errorf("replaying %s/%d: reading offsets: %w", p.Topic, p.ID, err)
	}
	if last <= first {
		return 0, nil
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: p.Topic, Partition: p.ID, MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(first); err != nil {
		return 0, fmt.Errorf("replaying %s/%d: %w", p.Topic, p.ID, err)
	}
	n := 0
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return n, fmt.Errorf("replaying %s/%d at %d: %w", p.Topic, p.ID, first+int64(n), err)
		}
		if err := s.ReplayRecord(m.Value); err != nil {
			s.cfg.Logger.Warn("skipping a bad transition record", "partition", p.ID, "offset", m.Offset, "err", err)
		}
		n++
		if m.Offset >= last-1 {
			return n, nil
		}
	}
}

// ChangeHandler adopts the incidents the processor creates and applies the
// signals it merges into them (Signal). It reads the changes topic, where
// the service's own updates also pass: those it skips, undecoded
// (isOwnUpdate). A batch's steps are written together (applyChanges).
func (s *Service) ChangeHandler() bus.Handler {
	return func(ctx context.Context, batch []kafka.Message) error {
		changes := make([]cityops.Change, 0, len(batch))
		for _, m := range batch {
			if isOwnUpdate(m.Value) {
				continue
			}
			c, err := decodeChange(m.Value)
			if err != nil {
				s.cfg.Logger.Warn("skipping an undecodable change", "offset", m.Offset, "err", err)
				continue
			}
			switch c.Kind {
			case cityops.ChangeCreated, cityops.ChangeMerged, cityops.ChangeCleared:
				changes = append(changes, c)
			}
		}
		return s.applyChanges(ctx, changes)
	}
}
