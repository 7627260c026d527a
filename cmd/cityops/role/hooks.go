package role

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// stageHooks are what the roles of one process share at run time besides
// their settings: the metrics every stage reports and the intake gate that a
// shutdown closes first. The zero value reports nothing and never closes.
type stageHooks struct {
	metrics *stageMetrics
	intake  *intakeGate
}

// stageMetrics are the metrics of the roles' stages: the bus's, the
// processor's counts of the raw events it refused or dropped as resends, and
// the delay from intake to ClickHouse.
type stageMetrics struct {
	bus    *bus.Metrics
	events *stateful.Metrics
	stored prometheus.Histogram
}

// newStageMetrics registers the stage metrics in reg.
func newStageMetrics(reg prometheus.Registerer) (*stageMetrics, error) {
	b, err := bus.NewMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("registering bus metrics: %w", err)
	}
	ev, err := stateful.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	m := &stageMetrics{bus: b, events: ev, stored: prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: "cityops", Subsystem: "store", Name: "ingest_to_stored_seconds",
		Help:    "Time from intake accepting an event to its change being stored in ClickHouse (a sample of each batch).",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 14), // 5 ms .. 41 s
	})}
	if err := reg.Register(m.stored); err != nil {
		return nil, fmt.Errorf("registering store metrics: %w", err)
	}
	return m, nil
}

// busMetrics returns the bus metrics, or nil.
func (h stageHooks) busMetrics() *bus.Metrics {
	if h.metrics == nil {
		return nil
	}
	return h.metrics.bus
}

// eventMetrics returns the processor's event metrics, or nil.
func (h stageHooks) eventMetrics() *stateful.Metrics {
	if h.metrics == nil {
		return nil
	}
	return h.metrics.events
}

// writer returns a bus writer to topic that reports its records.
func (h stageHooks) writer(brokers []string, topic string) *kafka.Writer {
	return h.busMetrics().Writer(bus.NewWriter(brokers, topic))
}

// storedSample is how many records of a batch the stored delay is measured
// on: decoding every record again would cost the sink as much as its insert.
const storedSample = 64

// observeStored wraps the store's handler to measure, after each insert, the
// delay from intake of a sample of the batch's events.
func (h stageHooks) observeStored(next bus.Handler) bus.Handler {
	if h.metrics == nil {
		return next
	}
	return func(ctx context.Context, batch []kafka.Message) error {
		if err := next(ctx, batch); err != nil {
			return err
		}
		now := time.Now()
		step := max(1, len(batch)/storedSample)
		for i := 0; i < len(batch); i += step {
			var c struct {
				Event *struct {
					Received time.Time `json:"received"`
				} `json:"event"`
			}
			if json.Unmarshal(batch[i].Value, &c) == nil && c.Event != nil && !c.Event.Received.IsZero() {
				h.metrics.stored.Observe(now.Sub(c.Event.Received).Seconds())
			}
		}
		return nil
	}
}

// instrument makes the registry of a role and the stage metrics and intake
// gate its stages share.
func (o *proc) instrument() (*prometheus.Registry, error) {
	reg := newRegistry()
	m, err := newStageMetrics(reg)
	if err != nil {
		return nil, err
	}
	o.hooks = stageHooks{metrics: m, intake: &intakeGate{}}
	return reg, nil
}
