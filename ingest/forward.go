package ingest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cityops/cityops"
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
	return ForwardReadingsOnce(v, reg, publish, dlq, nil, nil)
}

// ForwardReadingsOnce is ForwardReadings with intake's id memory: a reading
// whose id was stored before with the same content is not forwarded again,
// and one with other content goes to dlq (it would replace the stored
// reading). New ids are kept with publishIDs once their readings are
// durable.
func ForwardReadingsOnce(v *Validator, reg Registry, publish Publish, dlq DeadLetter, ids *IDs, publishIDs Publish) bus.Handler {
	return func(ctx context.Context, batch []kafka.Message) error {
		if err := ids.Wait(ctx); err != nil {
			return err
		}
		out := make([]kafka.Message, 0, len(batch))
		hashes := map[string]string{}
		release := func() {
			for id, h := range hashes {
				ids.Release(id, h)
			}
		}
		for _, m := range batch {
			ev, err := v.DecodeReading(reg, m.Value)
			if err != nil {
				if err := dlq(ctx, m, fmt.Errorf("validating reading: %w", err)); err != nil {
					release()
					return err
				}
				continue
			}
			hash := ContentHash(ev)
			if _, mine := hashes[ev.ID]; !mine {
				switch ids.Claim(ev.ID, hash) {
				case ClaimSame:
					continue
				case ClaimConflict:
					if err := dlq(ctx, m, cityops.Invalid("id", "%s was stored with other content", ev.ID)); err != nil {
						release()
						return err
					}
					continue
				}
				hashes[ev.ID] = hash
			} else {
				if hashes[ev.ID] != hash {
					if err := dlq(ctx, m, cityops.Invalid("id", "%s comes twice in the batch with other content", ev.ID)); err != nil {
						release()
						return err
					}
				}
				continue
			}
			b, err := json.Marshal(ev)
			if err != nil {
				release()
				return fmt.Errorf("encoding reading %s: %w", ev.ID, err)
			}
			out = append(out, kafka.Message{Key: []byte(ev.DeviceID), Value: b})
		}
		if len(out) == 0 {
			return nil
		}
		if err := publish(ctx, out...); err != nil {
			release()
			return fmt.Errorf("forwarding %d readings: %w", len(out), err)
		}
		if ids != nil && publishIDs != nil && len(hashes) > 0 {
			msgs := make([]kafka.Message, 0, len(hashes))
			for id, h := range hashes {
				msgs = append(msgs, ids.Record(id, h))
			}
			if err := publishIDs(ctx, msgs...); err != nil {
				// The batch is read again and forwarded again: the same
				// ids with the same content, which the sinks keep once.
				release()
				return fmt.Errorf("keeping %d reading ids: %w", len(msgs), err)
			}
		}
		return nil
	}
}
