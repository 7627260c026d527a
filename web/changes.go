package web

import (
	"context"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

// Publish hands a change to the hub, which records it and queues it for every
// live client. It never waits for a client. A change without an incident id
// or with an unknown kind is counted and logged, and goes nowhere.
func (s *Server) Publish(c cityops.Change) {
	if err := s.hub.publish(c); err != nil {
		s.log.Warn("dropping an incident change", "err", err)
	}
}

// ChangeHandler returns a handler for the incidents.changes topic: it
// publishes each record's value, a JSON cityops.Change. A merged or cleared
// change is counted as a signal without being decoded (isSignal). A record
// that does not decode is counted and logged and skipped, never retried: the map's
// state does not depend on it, and nothing later could decode it either. The
// handler never blocks and never fails, so the consumer commits at once.
func (s *Server) ChangeHandler() bus.Handler {
	return func(_ context.Context, batch []kafka.Message) error {
		for _, m := range batch {
			if isSignal(m.Value) {
				s.m.changes.WithLabelValues(resultSignal).Inc()
				continue
			}
			c, err := decodeChange(m.Value)
			if err != nil {
				s.m.changes.WithLabelValues(resultUndecodable).Inc()
				s.log.Warn("skipping an undecodable incident change",
					"topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "err", err)
				continue
			}
			s.Publish(c)
		}
		return nil
	}
}
