package bus_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/segmentio/kafka-go"
)

// TestWriterStaysUnderBrokerLimit writes 3 MB of records in one call: the
// writer must split them into batches the broker takes (it refuses a batch
// over max.message.bytes, 1 MB by default), not retry one forever.
func TestWriterStaysUnderBrokerLimit(t *testing.T) {
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	brokers := []string{b.Addr()}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := bus.EnsureTopics(ctx, brokers, 1, "big"); err != nil {
		t.Fatal(err)
	}
	w := bus.NewWriter(brokers, "big")
	defer w.Close()
	const n = 2500
	body := bytes.Repeat([]byte("x"), 1200) // a merged incident change is about this size
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: []byte(fmt.Sprint(i)), Value: body}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("writing %d records of %d bytes: %v", n, len(body), err)
	}
	conn, err := kafka.DialLeader(ctx, "tcp", brokers[0], "big", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	last, err := conn.ReadLastOffset()
	if err != nil {
		t.Fatal(err)
	}
	if last != n {
		t.Fatalf("the topic ends at offset %d, want %d", last, n)
	}
}
