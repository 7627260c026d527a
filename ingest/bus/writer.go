package bus

import (
	"time"

	"github.com/segmentio/kafka-go"
)

// NewWriter returns a writer to topic that waits for all in-sync replicas
// before a write returns, and that sends a batch after a few milliseconds
// rather than kafka-go's default of one second. Records with the same key go
// to the same partition.
func NewWriter(brokers []string, topic string) *kafka.Writer {
	return &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 2 * time.Millisecond,
		BatchSize:    1000,
		BatchBytes:   16 << 20,
		MaxAttempts:  10,
	}
}
