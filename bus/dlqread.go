package bus

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// Letter is a dead letter as it was filed: the original record's key and
// bytes, and why and where from.
type Letter struct {
	Partition int
	Offset    int64
	Reason    string
	Topic     string // the topic the record came from
	Filed     string // when it was filed, RFC 3339
	Key       []byte
	Value     []byte
}

// ReadDeadLetters hands every record of the dead-letter topic that exists
// when it starts to fn, partition by partition, and stops there.
func ReadDeadLetters(ctx context.Context, brokers []string, topic string, fn func(Letter) error) error {
	conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		return fmt.Errorf("reading dead letters: dialing %s: %w", brokers[0], err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		return fmt.Errorf("reading dead letters: listing partitions of %s: %w", topic, err)
	}
	for _, p := range parts {
		if err := readPartition(ctx, brokers, topic, p.ID, fn); err != nil {
			return err
		}
	}
	return nil
}

func readPartition(ctx context.Context, brokers []string, topic string, partition int, fn func(Letter) error) error {
	lc, err := kafka.DialLeader(ctx, "tcp", brokers[0], topic, partition)
	if err != nil {
		return fmt.Errorf("reading dead letters: dialing the leader of %s/%d: %w", topic, partition, err)
	}
	first, end, err := lc.ReadOffsets()
	lc.Close()
	if err != nil {
		return fmt.Errorf("reading dead letters: offsets of %s/%d: %w", topic, partition, err)
	}
	if end <= first {
		return nil
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: partition, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(first); err != nil {
		return fmt.Errorf("reading dead letters: %w", err)
	}
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("reading dead letters of %s/%d: %w", topic, partition, err)
		}
		l := Letter{Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value}
		for _, h := range m.Headers {
			switch h.Key {
			case HeaderReason:
				l.Reason = string(h.Value)
			case HeaderTopic:
				l.Topic = string(h.Value)
			case HeaderTime:
				l.Filed = string(h.Value)
			}
		}
		if err := fn(l); err != nil {
			return err
		}
		if m.Offset >= end-1 {
			return nil
		}
	}
}
