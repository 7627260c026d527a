package bus_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// TestMetricsAndLag writes records through an instrumented writer, consumes
// half of them with a handler that fails once, and checks the counters, the
// per-partition lag the consumer saw, and the group lag the brokers report.
func TestMetricsAndLag(t *testing.T) {
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	brokers := []string{b.Addr()}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := bus.EnsureTopics(ctx, brokers, 1, "m"); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := bus.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	w := m.Writer(bus.NewWriter(brokers, "m"))
	defer w.Close()
	const n = 100
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = kafka.Message{Value: []byte(fmt.Sprint(i))}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	written := time.Now()
	if got := value(t, reg, "cityops_bus_produced_records_total", "topic", "m"); got != n {
		t.Errorf("produced %v, want %d", got, n)
	}

	lag, err := bus.GroupLag(ctx, brokers, "g", "m")
	if err != nil {
		t.Fatal(err)
	}
	if bus.TotalLag(lag) != n {
		t.Errorf("lag of a new group %v, want %d", lag, n)
	}

	cctx, ccancel := context.WithCancel(ctx)
	handled, failed := 0, false
	waited := time.Since(written) // every record waited at least this long before its stage began
	err = bus.Consume(cctx, bus.ConsumerConfig{Brokers: brokers, Topic: "m", Group: "g", BatchSize: 10, BatchWait: 50 * time.Millisecond, Metrics: m},
		func(_ context.Context, batch []kafka.Message) error {
			if !failed {
				failed = true
				return errors.New("first try fails")
			}
			handled += len(batch)
			if handled >= n/2 {
				ccancel()
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if got := value(t, reg, "cityops_bus_consumed_records_total", "topic", "m", "group", "g"); got != float64(handled) {
		t.Errorf("consumed %v, want %d", got, handled)
	}
	if got := value(t, reg, "cityops_bus_failed_records_total", "topic", "m"); got < 1 {
		t.Errorf("failed records %v, want at least 1", got)
	}
	if got := value(t, reg, "cityops_bus_batch_records", "group", "g"); got != float64(handled) {
		t.Errorf("batch sizes add up to %v, want %d", got, handled)
	}
	if got := value(t, reg, "cityops_bus_record_wait_seconds", "group", "g"); got < float64(handled)*waited.Seconds() {
		t.Errorf("record waits add up to %vs, want at least %d records × %v", got, handled, waited)
	}
	want := n - handled
	if got := value(t, reg, "cityops_bus_consumer_lag_records", "partition", "0"); got != float64(want) {
		t.Errorf("consumer lag %v, want %d", got, want)
	}
	lag, err = bus.GroupLag(ctx, brokers, "g", "m")
	if err != nil {
		t.Fatal(err)
	}
	if bus.TotalLag(lag) != int64(want) {
		t.Errorf("group lag %v, want %d", lag, want)
	}
}

// value gathers reg and returns the value of the series of name whose
// labels include the given name, value pairs: a counter's or gauge's value,
// or a histogram's sum.
func value(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue series
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				return m.GetHistogram().GetSampleSum()
			}
		}
	}
	t.Fatalf("no series %s %v", name, labels)
	return 0
}
