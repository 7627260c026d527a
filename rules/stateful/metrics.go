package stateful

import (
	"errors"
	"fmt"

	"github.com/cityops/cityops"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics count what the classify stage makes of the raw events it reads:
// records refused (dead-lettered), by the field at fault, and resent events
// dropped. A partition that replays its input after a move counts its
// records again. A nil *Metrics counts nothing.
type Metrics struct {
	refused  *prometheus.CounterVec // field
	replayed prometheus.Counter
}

// NewMetrics registers the stage's metrics in reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "cityops", Subsystem: "process", Name: "events_refused_total",
			Help: "Raw event records the processor dead-lettered as invalid, by the field at fault (other: a field the event does not have).",
		}, []string{"field"}),
		replayed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "cityops", Subsystem: "process", Name: "events_replayed_total",
			Help: "Raw event records dropped as a resend of an event already handled: the same id with the same content.",
		}),
	}
	for _, c := range []prometheus.Collector{m.refused, m.replayed} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering process metrics: %w", err)
		}
	}
	return m, nil
}

// eventFields are the fields the refused counter names; any other (an
// unknown member a writer made up) is "other", so the label stays bounded.
var eventFields = map[string]bool{
	"body": true, "id": true, "source": true, "type": true, "text": true, "lat": true, "lon": true, "lat/lon": true,
	"time": true, "received": true, "value": true, "unit": true, "device_id": true,
}

func (m *Metrics) refuse(err error) {
	if m == nil {
		return
	}
	field := "other"
	var fe *cityops.FieldError
	if errors.As(err, &fe) && eventFields[fe.Field] {
		field = fe.Field
	}
	m.refused.WithLabelValues(field).Inc()
}

func (m *Metrics) replay() {
	if m != nil {
		m.replayed.Inc()
	}
}
