package web

import (
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkPublish measures one Publish with 1,000 clients subscribed in
// incidents mode, each to a tenth of the test city, without connections:
// the cost the hub pays, under its lock, per change and client.
func BenchmarkPublish(b *testing.B) {
	m, err := newMetrics(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	h := newHub(m, nil, time.UTC)
	for i := range 1000 {
		cl := newClient(nil, m, h.hx, 1<<30, View{Role: RoleCenter})
		x := 121.40 + float64(i%10)*0.01
		cl.sub = &subscription{bbox: [4]float64{x, 31.2, x + 0.01, 31.25}, mode: modeIncidents, res: cityops.ResIncident, view: cl.view}
		h.clients[cl] = struct{}{}
	}
	chs := make([]cityops.Change, 1000)
	for i := range chs {
		chs[i] = change(b, i, cityops.ChangeUpdated, cityops.StatusDispatched, 0)
	}
	b.ResetTimer()
	for i := range b.N {
		if err := h.publish(chs[i%len(chs)]); err != nil {
			b.Fatal(err)
		}
	}
}
