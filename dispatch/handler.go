package dispatch

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest/bus"
	"github.com/segmentio/kafka-go"
)

// Publish writes records to the incident changes topic; it returns once they
// are durable. A kafka.Writer's WriteMessages is one.
type Publish func(ctx context.Context, msgs ...kafka.Message) error

// DeadLetter files a record that can never be processed, with the reason.
type DeadLetter func(ctx context.Context, m kafka.Message, reason error) error

// Handler returns the bus handler of the processor stage: it decodes each
// record of the raw events topic, processes it and publishes the resulting
// changes keyed by incident id. Records that do not decode or cannot be
// processed go to dlq. The batch succeeds only when every change and dead
// letter is durable.
func (p *Processor) Handler(publish Publish, dlq DeadLetter) bus.Handler {
	return func(ctx context.Context, batch []kafka.Message) error {
		out := make([]kafka.Message, 0, len(batch))
		for _, m := range batch {
			var ev cityops.Event
			if err := json.Unmarshal(m.Value, &ev); err != nil {
				if err := dlq(ctx, m, fmt.Errorf("decoding event: %w", err)); err != nil {
					return err
				}
				continue
			}
			c, ok, err := p.Process(&ev)
			if err != nil {
				if err := dlq(ctx, m, err); err != nil {
					return err
				}
				continue
			}
			if !ok {
				continue
			}
			v, err := json.Marshal(c)
			if err != nil {
				return fmt.Errorf("encoding change of %s: %w", c.Incident.ID, err)
			}
			out = append(out, kafka.Message{Key: []byte(c.Incident.ID), Value: v})
		}
		if len(out) == 0 {
			return nil
		}
		if err := publish(ctx, out...); err != nil {
			return fmt.Errorf("publishing %d incident changes: %w", len(out), err)
		}
		return nil
	}
}
