package web

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/gorilla/websocket"
)

// BenchmarkBroadcast publishes changes of 1,000 incidents to clients on
// loopback and reports the messages delivered per second, summed over the
// clients, from the first Publish to the last message read. The clients' queues
// are unbounded here: this measures the fan-out, not the slow-client policy.
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{100, 1000} {
		for _, deflate := range []bool{false, true} {
			b.Run(fmt.Sprintf("clients=%d/deflate=%v", n, deflate), func(b *testing.B) {
				benchmarkBroadcast(b, n, deflate)
			})
		}
	}
}

func benchmarkBroadcast(b *testing.B, clients int, deflate bool) {
	s, ts, _ := newTestServer(b, nil)
	s.hub.queueLen = 1 << 30
	const incidents = 1000
	base := make([]cityops.Change, incidents)
	for i := range base {
		base[i] = change(b, i, cityops.ChangeUpdated, cityops.StatusDispatched, 0)
	}

	d := &websocket.Dialer{EnableCompression: deflate}
	var wg sync.WaitGroup
	for range clients {
		c := dial(b, ts, d, nil)
		read(b, c)
		_ = c.SetReadDeadline(time.Time{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range b.N {
				if _, _, err := c.ReadMessage(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}

	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		ch := base[i%incidents]
		ch.Incident.Version = uint64(i + 1)
		s.Publish(ch)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(clients*b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "changes/s")
}
