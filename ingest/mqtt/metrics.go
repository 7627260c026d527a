package mqtt

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Results of a message, the values of the result label.
const (
	ResultAccepted      = "accepted"       // on the readings topic
	ResultRejected      = "rejected"       // dead-lettered: not a valid reading
	ResultUnknownDevice = "unknown_device" // dead-lettered: the topic's device is not registered
	ResultRetried       = "kafka_retry"    // in a batch Kafka refused, to be written again
)

// Metrics count the intake's messages.
type Metrics struct {
	messages *prometheus.CounterVec
}

// NewMetrics registers cityops_mqtt_messages_total{result} in reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{messages: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "cityops", Subsystem: "mqtt", Name: "messages_total",
		Help: "MQTT messages taken by the intake, by result: accepted, rejected, unknown_device, and kafka_retry for each message of a batch whose write to Kafka failed and is retried.",
	}, []string{"result"})}
	for _, r := range []string{ResultAccepted, ResultRejected, ResultUnknownDevice, ResultRetried} {
		m.messages.WithLabelValues(r)
	}
	if err := reg.Register(m.messages); err != nil {
		return nil, fmt.Errorf("registering MQTT metrics: %w", err)
	}
	return m, nil
}

func (m *Metrics) add(result string, n int) {
	if m == nil || n == 0 {
		return
	}
	m.messages.WithLabelValues(result).Add(float64(n))
}
