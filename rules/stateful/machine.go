package stateful

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

// machine is the state of one input partition of a stage: it applies input
// records one by one, emitting output records, and saves and restores its
// state.
type machine interface {
	// prepare decodes the records a batch will apply, ahead of apply.
	prepare(batch []kafka.Message)
	// apply applies one input record, the i-th of the batch prepared,
	// appending what it emits to out.
	apply(ctx context.Context, i int, m kafka.Message, out *outputs) error
	// tick runs after each batch (timers on event time).
	tick(out *outputs)
	snapshot() ([]byte, error)
	restore([]byte) error
}

// outputs are a batch's output records by topic.
type outputs struct {
	byTopic map[string][]kafka.Message
	n       int
	lazy    []lazyChange // records whose values encode fills in
}

func (o *outputs) add(topic string, m kafka.Message) {
	if o.byTopic == nil {
		o.byTopic = map[string][]kafka.Message{}
	}
	o.byTopic[topic] = append(o.byTopic[topic], m)
	o.n++
}

// deadLetter files m with the reason among the batch's outputs: it is
// published with them, in one write per topic, before the batch's offsets
// are committed, and stays pending like them when a publish fails (the
// retried batch does not apply m again).
func deadLetter(out *outputs, t Topics, m kafka.Message, reason error) error {
	out.add(t.DeadLetters, bus.DeadLetterRecord(m, reason))
	return nil
}

// PublishTo writes records to topic and returns once they are durable: a
// bus.Publish that names its topic, as a stage writes to several.
type PublishTo func(ctx context.Context, topic string, msgs ...kafka.Message) error

// saveCostRatio bounds the time a partition's records wait for snapshots:
// encoding the state holds up the batch (the write to the broker does not:
// see saveBehind), so after an encoding that took d the next waits at least
// saveCostRatio*d, and at most one record in a hundred meets one, however
// large the state grows. The price is a longer replay when the partition
// moves: seconds of hotline records, a fraction of a second's work.
const saveCostRatio = 100

// partition drives one machine as a bus.PartitionHandler (see the package
// doc for the protocol).
type partition struct {
	key       string // snapshot key
	topic     string
	id        int
	m         machine
	snaps     *Snapshots
	publish   PublishTo
	every     time.Duration
	log       *slog.Logger
	applied   int64 // the last input offset applied to the state
	saved     int64 // the offset of the last snapshot saved
	lastSave  time.Time
	saveCost  time.Duration // how long the last snapshot took to encode
	writing   chan saved    // the snapshot being written in the background; nil when none is
	pending   outputs       // emitted but not yet published
	swap      func() machine
	swapCheck func() bool
}

var _ bus.PartitionHandler = (*partition)(nil)

// openPartition restores a partition's state: the latest snapshot, then
// every input record after it up to the partition's current end, applied and
// their outputs published again (the sinks keep one of each).
func openPartition(ctx context.Context, p *partition, brokers []string) (*partition, error) {
	p.applied, p.saved = -1, -1
	snap, found, err := p.snaps.Load(ctx, p.key)
	if err != nil {
		return nil, err
	}
	if found {
		if err := p.m.restore(snap.State); err != nil {
			return nil, fmt.Errorf("restoring %s: %w", p.key, err)
		}
		p.applied, p.saved = snap.Offset, snap.Offset
	}
	first, end, err := partitionEnd(ctx, brokers, p.topic, p.id)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", p.key, err)
	}
	from := max(first, p.applied+1)
	replayed := 0
	var chunk []kafka.Message
	var herr error // the first failed Handle of the replay
	flush := func() {
		if len(chunk) > 0 && herr == nil {
			herr = p.Handle(ctx, chunk)
		}
		chunk = chunk[:0]
	}
	err = readRange(ctx, brokers, p.topic, p.id, from, end, func(m kafka.Message) {
		chunk = append(chunk, m)
		replayed++
		if len(chunk) == 1000 {
			flush()
		}
	})
	flush()
	if err = errors.Join(err, herr); err != nil {
		return nil, fmt.Errorf("replaying %s from %d: %w", p.key, from, err)
	}
	p.log.Info("partition opened", "snapshot", found, "snapshot_offset", p.saved, "replayed", replayed, "applied", p.applied)
	return p, nil
}

// Handle applies the records not yet applied, publishes what they emit, and
// saves a snapshot when the last is older than every. A failure keeps the
// outputs pending and the state as applied: the retried batch applies
// nothing twice and publishes the pending outputs.
func (p *partition) Handle(ctx context.Context, batch []kafka.Message) error {
	if p.swapCheck != nil && p.swapCheck() {
		if err := p.reload(ctx); err != nil {
			return err
		}
	}
	todo := make([]kafka.Message, 0, len(batch))
	for _, m := range batch {
		if m.Offset > p.applied {
			todo = append(todo, m)
		}
	}
	p.m.prepare(todo)
	for i, m := range todo {
		if err := p.m.apply(ctx, i, m, &p.pending); err != nil {
			return fmt.Errorf("applying %s@%d: %w", p.key, m.Offset, err)
		}
		p.applied = m.Offset
	}
	p.m.tick(&p.pending)
	if err := p.flush(ctx); err != nil {
		return err
	}
	p.written(false)
	if p.writing == nil && p.applied > p.saved && time.Since(p.lastSave) >= max(p.every, saveCostRatio*p.saveCost) {
		return p.saveBehind(ctx)
	}
	return nil
}

func (p *partition) flush(ctx context.Context) error {
	if err := p.pending.encode(); err != nil {
		return err
	}
	for topic, msgs := range p.pending.byTopic {
		if len(msgs) == 0 {
			continue
		}
		if err := p.publish(ctx, topic, msgs...); err != nil {
			return fmt.Errorf("publishing %d records to %s: %w", len(msgs), topic, err)
		}
		p.pending.byTopic[topic] = msgs[:0]
	}
	p.pending.n = 0
	return nil
}

// saved is the end of a snapshot's write: the offset it holds, when its
// encoding started, and the error of the write.
type saved struct {
	offset int64
	start  time.Time
	err    error
}

// encode encodes the state as of applied, noting how long it took, and
// returns when it started.
func (p *partition) encode() ([]byte, time.Time, error) {
	start := time.Now()
	st, err := p.m.snapshot()
	p.saveCost = time.Since(start)
	return st, start, err
}

// saveBehind encodes the state as of applied and writes it in the
// background, so that the batches after it do not wait for the broker. A
// snapshot that never becomes durable costs only replay: the partition's
// next owner starts from the one before it and applies more records.
// Snapshots of a partition are written one at a time, in order.
func (p *partition) saveBehind(ctx context.Context) error {
	st, start, err := p.encode()
	if err != nil {
		return err
	}
	done := make(chan saved, 1)
	p.writing = done
	key, offset := p.key, p.applied
	go func() {
		done <- saved{offset: offset, start: start, err: p.snaps.Save(ctx, key, offset, st)}
	}()
	return nil
}

// written takes the end of the background write, if it ended, waiting for
// it when wait is set.
func (p *partition) written(wait bool) {
	if p.writing == nil {
		return
	}
	var w saved
	if wait {
		w = <-p.writing
	} else {
		select {
		case w = <-p.writing:
		default:
			return
		}
	}
	p.writing = nil
	if w.err != nil {
		p.log.Warn("a snapshot was not saved; the next one will be", "offset", w.offset, "err", w.err)
		return
	}
	p.saved, p.lastSave = max(p.saved, w.offset), w.start
}

// save writes the state as of applied and returns once it is durable.
func (p *partition) save(ctx context.Context) error {
	p.written(true)
	st, start, err := p.encode()
	if err != nil {
		return err
	}
	if err := p.snaps.Save(ctx, p.key, p.applied, st); err != nil {
		return err
	}
	p.saved, p.lastSave = p.applied, start
	return nil
}

// reload moves the state into a machine built from a newly loaded pack,
// between two batches.
func (p *partition) reload(ctx context.Context) error {
	st, err := p.m.snapshot()
	if err != nil {
		return err
	}
	next := p.swap()
	if err := next.restore(st); err != nil {
		return fmt.Errorf("moving %s to the reloaded pack: %w", p.key, err)
	}
	p.m = next
	p.log.Info("partition moved to the reloaded pack", "applied", p.applied)
	return nil
}

// Close waits for a snapshot being written, then saves a last one when
// everything emitted is published.
func (p *partition) Close(ctx context.Context) error {
	p.written(true)
	if p.pending.n > 0 || p.applied <= p.saved {
		return nil
	}
	return p.save(ctx)
}
