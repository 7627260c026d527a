package web

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's own Prometheus metrics.
type metrics struct {
	clients        prometheus.Gauge
	sent           prometheus.Counter
	droppedSlow    prometheus.Counter
	coalesced      prometheus.Counter
	changes        *prometheus.CounterVec // by result
	delay          prometheus.Histogram
	ingestToClient prometheus.Histogram
}

// The values of the result label of cityops_web_changes_total.
const (
	resultPublished   = "published"
	resultStale       = "stale"
	resultUndecodable = "undecodable"
	resultInvalid     = "invalid"
	resultSignal      = "signal"
)

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		clients: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "cityops", Subsystem: "web", Name: "live_clients",
			Help: "Websocket clients of the live map connected now.",
		}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "cityops", Subsystem: "web", Name: "live_messages_sent_total",
			Help: "Websocket messages written to live map clients (snapshots and changes).",
		}),
		droppedSlow: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "cityops", Subsystem: "web", Name: "live_clients_dropped_slow_total",
			Help: "Live map clients disconnected because they fell too far behind.",
		}),
		coalesced: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "cityops", Subsystem: "web", Name: "live_changes_coalesced_total",
			Help: "Changes replaced in a full client queue by a newer change of the same incident.",
		}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "cityops", Subsystem: "web", Name: "changes_total",
			Help: "Incident changes handed to the hub, by result: published, stale (not newer than the state the hub has), signal (a merged or cleared signal: the dispatcher's update of the incident carries it to the map), undecodable (not JSON of a change) or invalid (no incident id, unknown kind).",
		}, []string{"result"}),
		ingestToClient: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "cityops", Subsystem: "web", Name: "ingest_to_client_seconds",
			Help:    "Time from intake receiving an event to writing its new incident to a live client's connection.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14), // 1 ms .. 8 s
		}),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "cityops", Subsystem: "web", Name: "delivery_delay_seconds",
			Help:    "Time from the server receiving an incident change to writing it to a live client's connection.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14), // 0.5 ms .. 4 s
		}),
	}
	for _, r := range []string{resultPublished, resultStale, resultSignal, resultUndecodable, resultInvalid} {
		m.changes.WithLabelValues(r)
	}
	for _, c := range []prometheus.Collector{m.clients, m.sent, m.droppedSlow, m.coalesced, m.changes, m.delay, m.ingestToClient} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering web metrics: %w", err)
		}
	}
	return m, nil
}
