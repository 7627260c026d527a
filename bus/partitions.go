package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/segmentio/kafka-go"
)

// PartitionHandler owns the state of one partition of a topic for as long as
// this replica is assigned that partition. ConsumePartitions makes one through
// an OpenFunc when the partition is assigned and drives it from a single
// goroutine; it is never shared between partitions or goroutines.
//
// The contract:
//   - Handle gets the partition's records in offset order, in batches. It
//     returns nil only when its output for the batch is durable; the offset
//     after the batch is committed after that and never before. An error hands
//     the same batch to Handle again after a backoff, so Handle must not apply
//     a batch's effect on its state twice when it failed half-way (keep the
//     state change for the end, or skip records already applied by offset).
//   - After a restart or a partition move, the next owner gets records from
//     the last committed offset: records handled after the last commit are
//     handed over again (at-least-once). A stateful stage therefore restores
//     its state in open from a snapshot that names the input offset it
//     reflects, and ignores records at or below that offset.
//   - Close is called exactly once, after the last Handle, when the partition
//     is revoked (a rebalance), the consumer group generation ends, or the
//     consumer stops. It may flush a snapshot; its context is not the
//     consumer's (which may be cancelled already) but a fresh one with a
//     deadline.
type PartitionHandler interface {
	Handle(ctx context.Context, batch []kafka.Message) error
	Close(ctx context.Context) error
}

// OpenFunc makes the handler of a partition that was just assigned to this
// replica. It is where a stage rebuilds that partition's state (from a
// snapshot or by replaying a log) before any record is handed over. An error
// is retried after a backoff while the assignment lasts.
type OpenFunc func(ctx context.Context, topic string, partition int) (PartitionHandler, error)

// ConsumePartitions reads cfg.Topic as a member of cfg.Group, partition by
// partition, until ctx is done. Each generation of the group assigns this
// member some partitions; for each one it calls open, feeds the partition's
// batches to the handler from the group's committed offset, commits after
// each handled batch, and closes the handler when the generation ends. So a
// partition's state lives in exactly one replica at a time and moves with the
// partition.
func ConsumePartitions(ctx context.Context, cfg ConsumerConfig, open OpenFunc) error {
	cfg = cfg.withDefaults()
	start := kafka.FirstOffset
	if cfg.Latest {
		start = kafka.LastOffset
	}
	cg, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                cfg.Group,
		Brokers:           cfg.Brokers,
		Topics:            []string{cfg.Topic},
		StartOffset:       start,
		HeartbeatInterval: cfg.SessionTimeout / 6,
		SessionTimeout:    cfg.SessionTimeout,
		RebalanceTimeout:  cfg.SessionTimeout,
		JoinGroupBackoff:  500 * time.Millisecond,
	})
	if err != nil {
		return fmt.Errorf("joining group %s on %s: %w", cfg.Group, cfg.Topic, err)
	}
	defer cg.Close()
	log := cfg.Logger.With("topic", cfg.Topic, "group", cfg.Group)
	fatal := make(chan error, 1)
	for {
		gen, err := nextGeneration(ctx, cg, fatal)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if gen == nil {
			continue // a retriable group error, already backed off by kafka-go
		}
		parts := gen.Assignments[cfg.Topic]
		log.Info("generation assigned", "generation", gen.ID, "partitions", len(parts))
		for _, pa := range parts {
			pc := partitionConsumer{cfg: cfg, gen: gen, log: log.With("partition", pa.ID), open: open, id: pa.ID, offset: pa.Offset}
			gen.Start(func(gctx context.Context) {
				if err := pc.run(ctx, gctx); err != nil {
					select {
					case fatal <- err:
					default:
					}
				}
			})
		}
	}
}

// nextGeneration waits for the group's next generation. It returns a nil
// generation and nil error for errors the group recovers from by itself.
func nextGeneration(ctx context.Context, cg *kafka.ConsumerGroup, fatal <-chan error) (*kafka.Generation, error) {
	select {
	case err := <-fatal:
		return nil, err
	default:
	}
	gen, err := cg.Next(ctx)
	switch {
	case err == nil:
		return gen, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, kafka.ErrGroupClosed):
		return nil, fmt.Errorf("waiting for a generation: %w", err)
	default:
		return nil, nil
	}
}

// partitionConsumer feeds one assigned partition to its handler for the life
// of one generation.
type partitionConsumer struct {
	cfg    ConsumerConfig
	gen    *kafka.Generation
	log    *slog.Logger
	open   OpenFunc
	id     int
	offset int64 // where the group's committed offset says to start
}

// run opens the handler, then fetches, handles and commits until the
// consumer's ctx or the generation's gctx is done. It returns an error only
// for failures that retrying cannot mend.
func (pc *partitionConsumer) run(ctx, gctx context.Context) error {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(gctx, cancel)
	defer stop()

	h, err := pc.openHandler(pctx)
	if err != nil || h == nil {
		return nil // the assignment ended while opening
	}
	defer pc.closeHandler(ctx, h)

	// The fetcher reads the next fetch while the handler works on this
	// batch.
	f := startFetcher(pctx, pc.cfg, pc.id, pc.offset, pc.log)
	handler := pc.cfg.Metrics.instrument(pc.cfg, h.Handle)
	batch := make([]kafka.Message, 0, pc.cfg.BatchSize)
	var rest []kafka.Message // fetched, beyond the last batch's size
	for {
		var ok bool
		if batch, rest, ok = nextBatch(pctx, f.out, batch[:0], rest, pc.cfg.BatchSize, pc.cfg.BatchWait); !ok {
			return nil // the assignment or the consumer ended
		}
		if err := handle(pctx, pc.log, handler, batch); err != nil {
			return nil // the assignment ended; the batch is not committed
		}
		next := batch[len(batch)-1].Offset + 1
		if err := pc.gen.CommitOffsets(map[string]map[int]int64{pc.cfg.Topic: {pc.id: next}}); err != nil {
			// The generation ended under us: the next owner starts from the
			// last commit and gets this batch again, which idempotent
			// outputs absorb.
			pc.log.Warn("commit refused, leaving the partition", "offset", next, "err", err)
			return nil
		}
	}
}

// nextBatch makes the next batch from what is left of the last fetch and
// the fetches that follow: size records at most, and once it has one, no
// more than wait for the rest. It returns the records left over, and false
// when ctx is done or the fetcher stopped before the batch had a record.
func nextBatch(ctx context.Context, fetches <-chan []kafka.Message, batch, rest []kafka.Message, size int, wait time.Duration) ([]kafka.Message, []kafka.Message, bool) {
	take := func(msgs []kafka.Message) []kafka.Message {
		n := min(len(msgs), size-len(batch))
		batch = append(batch, msgs[:n]...)
		return msgs[n:]
	}
	rest = take(rest)
	if len(batch) == 0 {
		select {
		case msgs, ok := <-fetches:
			if !ok {
				return batch, nil, false
			}
			rest = take(msgs)
		case <-ctx.Done():
			return batch, nil, false
		}
	}
	if len(batch) == size {
		return batch, rest, true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for len(batch) < size {
		select {
		case msgs, ok := <-fetches:
			if !ok {
				return batch, rest, true
			}
			rest = take(msgs)
		case <-t.C:
			return batch, rest, true
		case <-ctx.Done():
			return batch, rest, true
		}
	}
	return batch, rest, true
}

// openHandler calls open until it succeeds or ctx is done.
func (pc *partitionConsumer) openHandler(ctx context.Context) (PartitionHandler, error) {
	wait := 100 * time.Millisecond
	for {
		h, err := pc.open(ctx, pc.cfg.Topic, pc.id)
		if err == nil {
			return h, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		pc.log.Warn("opening the partition failed, retrying", "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

func (pc *partitionConsumer) closeHandler(ctx context.Context, h PartitionHandler) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := h.Close(cctx); err != nil {
		pc.log.Warn("closing the partition's handler", "err", err)
	}
}

// withDefaults fills the zero fields of a consumer config.
func (cfg ConsumerConfig) withDefaults() ConsumerConfig {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1000
	}
	if cfg.BatchWait <= 0 {
		cfg.BatchWait = 100 * time.Millisecond
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}
