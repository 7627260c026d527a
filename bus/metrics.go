package bus

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// Metrics are the Prometheus metrics of every consumer and writer of a
// process: records in, out and failed, batch sizes, handler latency and
// consumer lag per partition. Give one to each ConsumerConfig and wrap each
// writer with Writer, so that every stage reports the same names. A nil
// *Metrics reports nothing.
type Metrics struct {
	consumed *prometheus.CounterVec   // topic, group
	failed   *prometheus.CounterVec   // topic, group
	batch    *prometheus.HistogramVec // topic, group
	latency  *prometheus.HistogramVec // topic, group
	wait     *prometheus.HistogramVec // topic, group
	lag      *prometheus.GaugeVec     // topic, group, partition

	mu      sync.Mutex
	writers []*kafka.Writer
	written *prometheus.CounterVec // topic
	errors  *prometheus.CounterVec // topic
}

// NewMetrics registers the bus metrics in reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	tg := []string{"topic", "group"}
	m := &Metrics{
		consumed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "cityops", Subsystem: "bus", Name: "consumed_records_total",
			Help: "Records a stage handled successfully (its output is durable), by topic and consumer group.",
		}, tg),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "cityops", Subsystem: "bus", Name: "failed_records_total",
			Help: "Records of batches whose handler failed and that are retried, by topic and consumer group.",
		}, tg),
		batch: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "cityops", Subsystem: "bus", Name: "batch_records",
			Help:    "Records per batch handed to a stage.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 9), // 1 .. 65536
		}, tg),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "cityops", Subsystem: "bus", Name: "handler_seconds",
			Help:    "Time a stage took to handle one batch, successful or not.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16), // 0.5 ms .. 16 s
		}, tg),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "cityops", Subsystem: "bus", Name: "record_wait_seconds",
			Help:    "Time from a record's timestamp (when its producer wrote it) until a stage began to handle it: one hop's queueing and batching.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 15), // 1 ms .. 16 s
		}, tg),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "cityops", Subsystem: "bus", Name: "consumer_lag_records",
			Help: "Records of a partition not yet handled by this consumer, after its last batch.",
		}, []string{"topic", "group", "partition"}),
		written: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "cityops", Subsystem: "bus", Name: "produced_records_total",
			Help: "Records written to a topic and acknowledged by the brokers.",
		}, []string{"topic"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "cityops", Subsystem: "bus", Name: "produce_errors_total",
			Help: "Failed writes to a topic (after the writer's own retries).",
		}, []string{"topic"}),
	}
	for _, c := range []prometheus.Collector{m.consumed, m.failed, m.batch, m.latency, m.wait, m.lag, writerStats{m}} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Writer makes w report its records and errors; it returns w.
func (m *Metrics) Writer(w *kafka.Writer) *kafka.Writer {
	if m == nil {
		return w
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writers = append(m.writers, w)
	m.written.WithLabelValues(w.Topic)
	m.errors.WithLabelValues(w.Topic)
	return w
}

// instrument wraps h to report the batches of cfg's consumer.
func (m *Metrics) instrument(cfg ConsumerConfig, h Handler) Handler {
	if m == nil {
		return h
	}
	consumed := m.consumed.WithLabelValues(cfg.Topic, cfg.Group)
	failed := m.failed.WithLabelValues(cfg.Topic, cfg.Group)
	batch := m.batch.WithLabelValues(cfg.Topic, cfg.Group)
	latency := m.latency.WithLabelValues(cfg.Topic, cfg.Group)
	wait := m.wait.WithLabelValues(cfg.Topic, cfg.Group)
	return func(ctx context.Context, b []kafka.Message) error {
		start := time.Now()
		err := h(ctx, b)
		latency.Observe(time.Since(start).Seconds())
		if err != nil {
			failed.Add(float64(len(b)))
			return err
		}
		batch.Observe(float64(len(b)))
		for i := range b {
			if !b[i].Time.IsZero() {
				wait.Observe(max(0, start.Sub(b[i].Time).Seconds()))
			}
		}
		consumed.Add(float64(len(b)))
		// The last record of each partition in the batch says how far
		// behind its high-water mark the consumer is. A batch holds few
		// partitions: a short list beats a map.
		var buf [32]int
		seen := buf[:0]
		for i := len(b) - 1; i >= 0; i-- {
			r := &b[i]
			if slices.Contains(seen, r.Partition) {
				continue
			}
			seen = append(seen, r.Partition)
			if r.HighWaterMark > 0 {
				m.lag.WithLabelValues(cfg.Topic, cfg.Group, strconv.Itoa(r.Partition)).Set(float64(max(0, r.HighWaterMark-r.Offset-1)))
			}
		}
		return nil
	}
}

// writerStats collects the writers' counters at scrape time. kafka-go's
// Stats returns the counts since its last call, so they are added up here.
type writerStats struct{ m *Metrics }

func (s writerStats) Describe(ch chan<- *prometheus.Desc) {
	s.m.written.Describe(ch)
	s.m.errors.Describe(ch)
}

func (s writerStats) Collect(ch chan<- prometheus.Metric) {
	s.m.mu.Lock()
	for _, w := range s.m.writers {
		st := w.Stats()
		s.m.written.WithLabelValues(w.Topic).Add(float64(st.Messages))
		s.m.errors.WithLabelValues(w.Topic).Add(float64(st.Errors))
	}
	s.m.mu.Unlock()
	s.m.written.Collect(ch)
	s.m.errors.Collect(ch)
}
