package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// readyTimeout bounds one readiness check.
const readyTimeout = 3 * time.Second

// serveHealthz answers 200 while the process can answer at all.
func serveHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// serveReadyz answers 200 when the server is not shutting down and Ready
// says the process can work, and 503 with the reason otherwise.
func (s *Server) serveReadyz(w http.ResponseWriter, r *http.Request) {
	readyz(w, r, s.draining.Load(), s.ready)
}

// readyz answers 503 with the reason when draining or when ready fails,
// and 200 otherwise.
func readyz(w http.ResponseWriter, r *http.Request, draining bool, ready func(ctx context.Context) error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if draining {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("not ready: shutting down\n"))
		return
	}
	if ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := ready(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + err.Error() + "\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ok\n"))
}

// Admin serves /healthz, /readyz and /metrics for a role that serves
// nothing else over HTTP, such as the processor or the store sink.
type Admin struct {
	ready    func(ctx context.Context) error
	draining atomic.Bool
	mux      *http.ServeMux
}

// NewAdmin returns the probes and metrics of a role: /readyz asks ready
// (nil is always ready), /metrics serves reg, and reg gets cityops_ready.
// The admin does not count its own requests: the server it is served by
// wraps it with InstrumentHTTP.
func NewAdmin(reg *prometheus.Registry, ready func(ctx context.Context) error, log *slog.Logger) *Admin {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Admin{ready: ready, mux: http.NewServeMux()}
	if err := registerReady(reg, a.draining.Load, ready); err != nil {
		log.Error("registering cityops_ready", "err", err)
	}
	a.mux.HandleFunc("GET /healthz", serveHealthz)
	a.mux.HandleFunc("GET /readyz", a.serveReadyz)
	a.mux.Handle("GET /metrics", promhttp.InstrumentMetricHandler(reg,
		promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)})))
	return a
}

// Drain makes /readyz answer 503 from now on: the role is shutting down.
func (a *Admin) Drain() { a.draining.Store(true) }

func (a *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

func (a *Admin) serveReadyz(w http.ResponseWriter, r *http.Request) {
	readyz(w, r, a.draining.Load(), a.ready)
}
