package stateful

import (
	"context"
	"errors"
	"sync"

	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

// Writers publishes to several topics through one bus writer per topic.
type Writers struct {
	// New makes the writer of a topic (bus.NewWriter when nil); set it
	// before the first Publish.
	New     func(brokers []string, topic string) *kafka.Writer
	brokers []string
	mu      sync.Mutex
	w       map[string]*kafka.Writer
}

// NewWriters returns writers to brokers; each topic's writer is made on its
// first use.
func NewWriters(brokers []string) *Writers {
	return &Writers{brokers: brokers, w: map[string]*kafka.Writer{}}
}

// Publish writes msgs to topic and returns once they are durable.
func (ws *Writers) Publish(ctx context.Context, topic string, msgs ...kafka.Message) error {
	ws.mu.Lock()
	w, ok := ws.w[topic]
	if !ok {
		mk := ws.New
		if mk == nil {
			mk = bus.NewWriter
		}
		w = mk(ws.brokers, topic)
		ws.w[topic] = w
	}
	ws.mu.Unlock()
	return w.WriteMessages(ctx, msgs...)
}

// Close closes every writer.
func (ws *Writers) Close() error {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	var errs []error
	for _, w := range ws.w {
		errs = append(errs, w.Close())
	}
	return errors.Join(errs...)
}
