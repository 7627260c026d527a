package bus

import (
	"context"
	"time"

	"github.com/segmentio/kafka-go"
)

// MaxBatchBytes is the most a writer puts in one produce batch. Brokers
// refuse a batch larger than the topic's max.message.bytes, 1,048,588 by
// default (Kafka's and the embedded broker's), and a writer that sent one
// would retry the refused batch forever; this leaves room for the headers.
const MaxBatchBytes = 1_000_000

// NewWriter returns a writer to topic that waits for all in-sync replicas
// before a write returns, and that sends a batch after a few milliseconds
// rather than kafka-go's default of one second. Records with the same key go
// to the same partition. Batches stay under MaxBatchBytes.
func NewWriter(brokers []string, topic string) *kafka.Writer {
	return &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 2 * time.Millisecond,
		BatchSize:    1000,
		BatchBytes:   MaxBatchBytes,
		MaxAttempts:  10,
		Compression:  kafka.Lz4,
	}
}

// Publish writes records and returns once they are durable: a Writer's
// WriteMessages, or a test's fake. Every stage that writes takes one.
type Publish func(ctx context.Context, msgs ...kafka.Message) error
