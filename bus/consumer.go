package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/segmentio/kafka-go"
)

// Handler processes one batch of records. It returns nil only when its output
// is durable; the batch's offsets are committed after that. A handler that
// returns an error gets the same batch again after a backoff, so a handler
// must send records it can never process to the dead-letter topic itself and
// return nil for them.
type Handler func(ctx context.Context, batch []kafka.Message) error

// ConsumerConfig says what to consume and how to batch it.
type ConsumerConfig struct {
	Brokers   []string
	Topic     string
	Group     string        // consumer group; replicas with the same group share the partitions
	BatchSize int           // most records in one batch (default 1000)
	BatchWait time.Duration // longest wait to fill a batch once it has a record (default 100ms)
	Latest    bool          // a new group starts at the end of the topic instead of the beginning
	// SessionTimeout is how long the group waits for a member that stopped
	// answering before its partitions move (ConsumePartitions; default 10s).
	SessionTimeout time.Duration
	Logger         *slog.Logger
	// Metrics, when not nil, reports the consumer's batches, failures,
	// handler latency and lag.
	Metrics *Metrics
}

// Consume reads cfg.Topic as a member of cfg.Group and hands batches to h
// until ctx is done. Offsets are committed after h succeeds, never before.
func Consume(ctx context.Context, cfg ConsumerConfig, h Handler) error {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1000
	}
	if cfg.BatchWait <= 0 {
		cfg.BatchWait = 100 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h = cfg.Metrics.instrument(cfg, h)
	start := kafka.FirstOffset
	if cfg.Latest {
		start = kafka.LastOffset
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:        cfg.Brokers,
		GroupID:        cfg.Group,
		Topic:          cfg.Topic,
		MinBytes:       1,
		MaxBytes:       16 << 20,
		MaxWait:        100 * time.Millisecond,
		StartOffset:    start,
		CommitInterval: 0, // commit synchronously, after the handler
		QueueCapacity:  cfg.BatchSize,
	})
	defer r.Close()
	log := cfg.Logger.With("topic", cfg.Topic, "group", cfg.Group)
	batch := make([]kafka.Message, 0, cfg.BatchSize)
	for {
		batch = batch[:0]
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("fetching from %s: %w", cfg.Topic, err)
		}
		batch = append(batch, m)
		batch, err = fill(ctx, r, batch, cfg.BatchSize, cfg.BatchWait)
		if err != nil {
			return err
		}
		if err := handle(ctx, log, h, batch); err != nil {
			return nil // ctx is done; the batch is not committed and will be read again
		}
		if err := commit(ctx, r, batch); err != nil {
			return fmt.Errorf("committing offsets of %s: %w", cfg.Topic, err)
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// fill adds records to batch until it has size records or wait has passed.
func fill(ctx context.Context, r *kafka.Reader, batch []kafka.Message, size int, wait time.Duration) ([]kafka.Message, error) {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for len(batch) < size {
		m, err := r.FetchMessage(wctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
				return batch, nil
			}
			return batch, fmt.Errorf("fetching from %s: %w", r.Config().Topic, err)
		}
		batch = append(batch, m)
	}
	return batch, nil
}

// handle runs h on batch until it succeeds, backing off between tries. It
// returns an error only when ctx is done.
func handle(ctx context.Context, log *slog.Logger, h Handler, batch []kafka.Message) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 100 * time.Millisecond
	b.MaxInterval = 5 * time.Second
	b.MaxElapsedTime = 0 // never give up: Kafka keeps the records meanwhile
	return backoff.RetryNotify(func() error {
		err := h(ctx, batch)
		if err != nil && ctx.Err() != nil {
			return backoff.Permanent(ctx.Err())
		}
		return err
	}, backoff.WithContext(b, ctx), func(err error, wait time.Duration) {
		log.Warn("batch failed, retrying", "records", len(batch), "wait", wait, "err", err)
	})
}

// commit commits the offsets of a handled batch. It runs even when ctx was
// cancelled while the batch was handled, so a stage that shuts down does not
// hand the same output to its sink again after a restart.
func commit(ctx context.Context, r *kafka.Reader, batch []kafka.Message) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return r.CommitMessages(cctx, batch...)
}
