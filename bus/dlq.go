package bus

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// Headers of a dead letter, beside the original record's own.
const (
	HeaderReason    = "cityops-dlq-reason"
	HeaderTopic     = "cityops-dlq-topic"
	HeaderPartition = "cityops-dlq-partition"
	HeaderOffset    = "cityops-dlq-offset"
	HeaderTime      = "cityops-dlq-time"
)

// DeadLetterRecord returns the dead letter of m: the original key and bytes,
// with headers that say why and where it came from, so that it can be shown
// and replayed.
func DeadLetterRecord(m kafka.Message, reason error) kafka.Message {
	headers := make([]kafka.Header, 0, len(m.Headers)+5)
	headers = append(headers, m.Headers...)
	headers = append(headers,
		kafka.Header{Key: HeaderReason, Value: []byte(reason.Error())},
		kafka.Header{Key: HeaderTopic, Value: []byte(m.Topic)},
		kafka.Header{Key: HeaderPartition, Value: []byte(strconv.Itoa(m.Partition))},
		kafka.Header{Key: HeaderOffset, Value: []byte(strconv.FormatInt(m.Offset, 10))},
		kafka.Header{Key: HeaderTime, Value: []byte(time.Now().UTC().Format(time.RFC3339Nano))},
	)
	return kafka.Message{Key: m.Key, Value: m.Value, Headers: headers}
}

// DeadLetter returns a function that files one record on the dead-letter
// topic through w and returns once the broker acknowledged it: one produce
// round trip per record. Stages file the dead letters of a batch together
// with DeadLetters.
func DeadLetter(w *kafka.Writer) func(ctx context.Context, m kafka.Message, reason error) error {
	return func(ctx context.Context, m kafka.Message, reason error) error {
		if err := w.WriteMessages(ctx, DeadLetterRecord(m, reason)); err != nil {
			return fmt.Errorf("filing a dead letter from %s/%d@%d: %w", m.Topic, m.Partition, m.Offset, err)
		}
		return nil
	}
}

// DeadLetters files the dead letters of a consumer's batches, each batch's
// in one write.
type DeadLetters struct {
	w *kafka.Writer
}

// NewDeadLetters returns a DeadLetters that writes through w (a writer to
// the dead-letter topic).
func NewDeadLetters(w *kafka.Writer) *DeadLetters { return &DeadLetters{w: w} }

// Handler returns the handler of a consumer whose stage files dead letters.
// For each batch it makes the stage's handler with mk, giving it a
// dead-letter function that only collects the letters; once that handler
// succeeds, the batch's letters go to the broker in one WriteMessages, and
// the returned handler succeeds only after the broker acknowledged them. So
// the consumer commits a batch's offsets after its dead letters are durable,
// never before. When the stage or the write fails, the consumer hands the
// batch over again and its letters are collected again: the dead-letter
// topic is at-least-once, like every other topic.
func (d *DeadLetters) Handler(mk func(dlq func(ctx context.Context, m kafka.Message, reason error) error) Handler) Handler {
	return func(ctx context.Context, batch []kafka.Message) error {
		var mu sync.Mutex // the stage may file from several goroutines
		var letters []kafka.Message
		collect := func(_ context.Context, m kafka.Message, reason error) error {
			l := DeadLetterRecord(m, reason)
			mu.Lock()
			letters = append(letters, l)
			mu.Unlock()
			return nil
		}
		if err := mk(collect)(ctx, batch); err != nil {
			return err
		}
		if len(letters) == 0 {
			return nil
		}
		if err := d.w.WriteMessages(ctx, letters...); err != nil {
			return fmt.Errorf("filing %d dead letters of a batch from %s: %w", len(letters), batch[0].Topic, err)
		}
		return nil
	}
}
