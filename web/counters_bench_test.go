package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkRefreshCounters measures one computation of the counters, which
// the hub does every second under its lock, with a million open incidents
// of 40 departments, a tenth of them overdue.
func BenchmarkRefreshCounters(b *testing.B) {
	m, err := newMetrics(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	h := newHub(m, nil, time.UTC)
	now := time.Now()
	for i := range 1_000_000 {
		e := &entry{version: 1, department: fmt.Sprintf("dept-%d", i%40), deadline: now.Add(time.Duration(i%10-1) * time.Hour), dueAt: -1}
		h.open[fmt.Sprintf("inc-%d", i)] = e
		h.counts.change(nil, e, now)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		h.refreshLocked(now.Add(time.Duration(i)*time.Second), "")
	}
}
