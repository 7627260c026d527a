package ingest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cityops/cityops/ingest/bus"
	"github.com/segmentio/kafka-go"
)

// DeadLetter files a record that can never be processed, with the reason.
// bus.DeadLetter makes one.
type DeadLetter func(ctx context.Context, m kafka.Message, reason error) error

// ForwardReadings returns the bus handler of the readings topic that
// gateways write to directly: each record is one JSON reading, validated and
// normalized exactly as POST /api/v1/readings does, and forwarded to the raw
// events topic keyed by device. A record that fails validation goes to dlq
// with the reason and its original bytes. The batch succeeds only when every
// forward and dead letter is durable, so nothing accepted is lost.
func ForwardReadings(v *Validator, reg Registry, publish Publish, dlq DeadLetter) bus.Handler {
	return func(ctx context.Context, batch []kafka.Message) error {
		out := make([]kafka.Message, 0, len(batch))
		for _, m := range batch {
			ev, err := v.DecodeReading(reg, m.Value)
			if err != nil {
				if err := dlq(ctx, m, fmt.Errorf("validating reading: %w", err)); err != nil {
					return err
				}
				continue
			}
			b, err := json.Marshal(ev)
			if err != nil {
				return fmt.Errorf("encoding reading %s: %w", ev.ID, err)
			}
			out = append(out, kafka.Message{Key: []byte(ev.DeviceID), Value: b})
		}
		if len(out) == 0 {
			return nil
		}
		if err := publish(ctx, out...); err != nil {
			return fmt.Errorf("forwarding %d readings: %w", len(out), err)
		}
		return nil
	}
}
