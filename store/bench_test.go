package store_test

import (
	"testing"
	"time"

	"github.com/cityops/cityops"
)

// BenchmarkInsertChanges inserts batches of 10,000 new incidents, each with its
// event, as the changes consumer does: one insert into incidents and one into
// events per batch.
func BenchmarkInsertChanges(b *testing.B) {
	const batchSize = 10_000
	s := newStore(b)
	ctx := testContext(b)
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
