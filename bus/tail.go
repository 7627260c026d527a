package bus

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"
)

// Tail reads every partition of cfg.Topic without a consumer group and
// hands batches to h until ctx is done. It is for a reader that wants the
// whole topic each time it starts, such as a live map rebuilding its state
// from the changes log: a group would be one more group on the brokers per
// start, left behind by every restart, and its commits would serve nobody.
//
// cfg.Group must be empty. Each partition is read from its first offset, or
// from its end when cfg.Latest is set; nothing is committed, so h sees the
// records again after a restart. Records of one partition come in offset
// order; h is called from one goroutine at a time. Tail waits for a topic
// that does not exist yet; partitions added to the topic after Tail started
// are not read until it starts again.
func Tail(ctx context.Context, cfg ConsumerConfig, h Handler) error {
	if cfg.Group != "" {
		return fmt.Errorf("tailing %s: a tail has no group, got %q", cfg.Topic, cfg.Group)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1000
	}
	if cfg.BatchWait <= 0 {
		cfg.BatchWait = 100 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	parts, err := partitionIDs(ctx, cfg.Brokers, cfg.Topic)
	for warned := false; err != nil; parts, err = partitionIDs(ctx, cfg.Brokers, cfg.Topic) {
		// The topic may not exist yet, or the brokers may be starting:
		// a group reader would wait too.
		if !warned {
			cfg.Logger.Warn("waiting for the topic to tail", "topic", cfg.Topic, "err", err)
			warned = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
	h = cfg.Metrics.instrument(cfg, h)
	start := kafka.FirstOffset
	if cfg.Latest {
		start = kafka.LastOffset
	}
	log := cfg.Logger.With("topic", cfg.Topic)
	records := make(chan kafka.Message, cfg.BatchSize)
	g, gctx := errgroup.WithContext(ctx)
	for _, p := range parts {
		g.Go(func() error {
			r := kafka.NewReader(kafka.ReaderConfig{
				Brokers:   cfg.Brokers,
				Topic:     cfg.Topic,
				Partition: p,
				MinBytes:  1,
				MaxBytes:  16 << 20,
				MaxWait:   100 * time.Millisecond,
			})
			defer r.Close()
			if err := r.SetOffset(start); err != nil {
				return fmt.Errorf("tailing %s/%d: %w", cfg.Topic, p, err)
			}
			for {
				m, err := r.FetchMessage(gctx)
				if err != nil {
					if gctx.Err() != nil {
						return nil
					}
					return fmt.Errorf("tailing %s/%d: %w", cfg.Topic, p, err)
				}
				select {
				case records <- m:
				case <-gctx.Done():
					return nil
				}
			}
		})
	}
	g.Go(func() error {
		batch := make([]kafka.Message, 0, cfg.BatchSize)
		for {
			batch = batch[:0]
			select {
			case m := <-records:
				batch = append(batch, m)
			case <-gctx.Done():
				return nil
			}
			wait := time.NewTimer(cfg.BatchWait)
		fill:
			for len(batch) < cfg.BatchSize {
				select {
				case m := <-records:
					batch = append(batch, m)
				case <-wait.C:
					break fill
				case <-gctx.Done():
					break fill
				}
			}
			wait.Stop()
			if err := handle(gctx, log, h, batch); err != nil {
				return nil // ctx is done
			}
		}
	})
	return g.Wait()
}

// partitionIDs lists the partitions of topic.
func partitionIDs(ctx context.Context, brokers []string, topic string) ([]int, error) {
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 5 * time.Second}
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("reading metadata of %s: %w", topic, err)
	}
	if len(md.Topics) != 1 || md.Topics[0].Error != nil {
		return nil, fmt.Errorf("reading metadata of %s: %v", topic, md.Topics)
	}
	ids := make([]int, 0, len(md.Topics[0].Partitions))
	for _, p := range md.Topics[0].Partitions {
		ids = append(ids, p.ID)
	}
	return ids, nil
}
