package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/cityops/cityops/web"
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

// stageMetrics are the metrics of the stages in cmd/cityops: the bus's, the
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

// intakeGate refuses new input with 503 once a shutdown began, so that the
// stages behind it can drain, and counts the requests it let through that
// are still running.
type intakeGate struct {
	closed   atomic.Bool
	inflight atomic.Int64
}

func (g *intakeGate) close() {
	if g != nil {
		g.closed.Store(true)
	}
}

func (g *intakeGate) isClosed() bool { return g != nil && g.closed.Load() }

// idle reports drained once the gate is closed and every request it let
// through has been answered: their events are on Kafka by then.
func (g *intakeGate) idle(context.Context) (bool, error) {
	if g == nil {
		return true, nil
	}
	return g.isClosed() && g.inflight.Load() == 0, nil
}

// wrap makes h answer 503 to every request that is not a read once the gate
// is closed.
func (g *intakeGate) wrap(h http.Handler) http.Handler {
	if g == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		g.inflight.Add(1) // before looking at closed, so idle never misses this request
		defer g.inflight.Add(-1)
		if g.closed.Load() {
			w.Header().Set("Retry-After", "5")
			http.Error(w, "shutting down: send this again to another replica or later", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// kafkaReady reports whether the first broker answers.
func kafkaReady(o *proc) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", o.brokers()[0])
		if err != nil {
			return fmt.Errorf("kafka: %w", err)
		}
		return conn.Close()
	}
}

// serveAdmin serves a's probes and metrics on addr until ctx is done. An
// empty addr serves nothing.
func serveAdmin(ctx context.Context, addr string, a *web.Admin, reg prometheus.Registerer, log *slog.Logger) error {
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s for probes: %w", addr, err)
	}
	h, err := web.InstrumentHTTP(reg, a)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("probes and metrics serving", "addr", ln.Addr().String())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving probes on %s: %w", addr, err)
	}
	return nil
}

// ready makes next fail once the gate is closed.
func (g *intakeGate) ready(next func(ctx context.Context) error) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if g.isClosed() {
			return errors.New("shutting down")
		}
		return next(ctx)
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

// waitDone runs until ctx is done: the run of a stage that only marks a
// point of the shutdown order.
func waitDone(ctx context.Context) error {
	<-ctx.Done()
	return nil
}
