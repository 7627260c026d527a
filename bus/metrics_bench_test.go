package bus

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// BenchmarkInstrument measures what the metrics add to one batch of 1,000
// records from 4 partitions: the handler does nothing, so all the time is
// the wrapper's. Report it per record with -benchmem; compare with the
// stage's own cost per record (ARCHITECTURE.md: ~6.5 µs for the processor).
func BenchmarkInstrument(b *testing.B) {
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	h := m.instrument(ConsumerConfig{Topic: "t", Group: "g"}, func(context.Context, []kafka.Message) error { return nil })
	batch := make([]kafka.Message, 1000)
	for i := range batch {
		batch[i] = kafka.Message{Partition: i % 4, Offset: int64(i), HighWaterMark: 5000, Time: time.Now().Add(-time.Duration(i) * time.Millisecond)}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := h(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/record")
}
