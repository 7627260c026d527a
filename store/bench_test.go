package store_test

import (
	"context"
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/segmentio/kafka-go"
)

// processCPU is the CPU time (user and system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkInsertChanges inserts batches of 10,000 new incidents, each with its
// event, as the changes consumer does: one insert into incidents and one into
// events per batch.
func BenchmarkInsertChanges(b *testing.B) {
	const batchSize = 10_000
	s := newStore(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	batch := make([]cityops.Change, batchSize)
	var took time.Duration
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		for i := range batch {
			batch[i] = makeChange(n*batchSize + i)
		}
		b.StartTimer()
		start := time.Now()
		if err := s.InsertChanges(ctx, batch); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
	}
	b.ReportMetric(float64(b.N*batchSize)/took.Seconds(), "changes/s")
	b.ReportMetric(float64(2*b.N*batchSize)/took.Seconds(), "rows/s")
}

// BenchmarkHandler measures the sink as the consumer runs it: batches of
// 20,000 records (the store role's batch size) decoded from JSON, checked and
// inserted, two rows (incident and event) per record.
func BenchmarkHandler(b *testing.B) {
	const batchSize = 20_000
	s := newStore(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	h := s.Handler(func(context.Context, kafka.Message, error) error { return nil })
	batch := make([]kafka.Message, batchSize)
	var took, cpu time.Duration
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		for i := range batch {
			v, err := json.Marshal(makeChange(n*batchSize + i))
			if err != nil {
				b.Fatal(err)
			}
			batch[i] = kafka.Message{Value: v}
		}
		b.StartTimer()
		start, cpu0 := time.Now(), processCPU()
		if err := h(ctx, batch); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		cpu += processCPU() - cpu0
	}
	// The sink's own CPU per record (decoding, columns, compression), which
	// other processes on the machine slow down far less than the rate.
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*batchSize), "cpu-ns/record")
	b.ReportMetric(float64(b.N*batchSize)/took.Seconds(), "records/s")
	b.ReportMetric(float64(2*b.N*batchSize)/took.Seconds(), "rows/s")
}
