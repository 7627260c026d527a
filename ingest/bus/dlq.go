package bus

import (
	"context"
	"fmt"
	"strconv"
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

// DeadLetter returns a function that files a record on the dead-letter topic
// through w: the original key and bytes, with headers that say why and where
// it came from, so that it can be shown and replayed.
func DeadLetter(w *kafka.Writer) func(ctx context.Context, m kafka.Message, reason error) error {
	return func(ctx context.Context, m kafka.Message, reason error) error {
		headers := append([]kafka.Header(nil), m.Headers...)
		headers = append(headers,
			kafka.Header{Key: HeaderReason, Value: []byte(reason.Error())},
			kafka.Header{Key: HeaderTopic, Value: []byte(m.Topic)},
			kafka.Header{Key: HeaderPartition, Value: []byte(strconv.Itoa(m.Partition))},
			kafka.Header{Key: HeaderOffset, Value: []byte(strconv.FormatInt(m.Offset, 10))},
			kafka.Header{Key: HeaderTime, Value: []byte(time.Now().UTC().Format(time.RFC3339Nano))},
		)
		err := w.WriteMessages(ctx, kafka.Message{Key: m.Key, Value: m.Value, Headers: headers})
		if err != nil {
			return fmt.Errorf("filing a dead letter from %s/%d@%d: %w", m.Topic, m.Partition, m.Offset, err)
		}
		return nil
	}
}
