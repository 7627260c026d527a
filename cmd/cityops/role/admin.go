package role

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// kafkaReady reports whether the first broker answers.
func kafkaReady(o *proc) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", o.Brokers()[0])
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

// waitDone runs until ctx is done: the run of a stage that only marks a
// point of the shutdown order.
func waitDone(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// readiness reports whether the broker and ClickHouse answer, and whether the
// store's last insert (of the sink in this process, if any) succeeded.
func readiness(o *proc, s *store.Store) func(ctx context.Context) error {
	kafkaUp := kafkaReady(o)
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := kafkaUp(ctx); err != nil {
			return err
		}
		if err := s.Ready(ctx); err != nil {
			return fmt.Errorf("clickhouse: %w", err)
		}
		return nil
	}
}
