package web

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// routeUnmatched is the route label of requests no pattern matched (404s
// of unknown paths, 405s): one series for all of them, however many paths
// scanners try.
const routeUnmatched = "unmatched"

// httpMetrics count a role's HTTP requests by route pattern and status.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// InstrumentHTTP wraps mux, a ServeMux (or a handler that hands requests to
// one unchanged), so that reg counts its requests in
// cityops_http_requests_total{route,code} and times them in
// cityops_http_request_duration_seconds{route}. route is the pattern that
// matched ("GET /api/v1/tasks/{id}"), never the raw path, so the series stay
// as few as the routes. Websocket connections are counted when they upgrade
// (code 101) but not timed: their time is how long a client stayed. Servers
// of one process may share reg: they share the metrics.
func InstrumentHTTP(reg prometheus.Registerer, mux http.Handler) (http.Handler, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cityops_http_requests_total",
			Help: "HTTP requests answered, by route (the pattern that matched, or \"unmatched\") and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cityops_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route (websocket sessions are not timed).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
	}
	var err error
	if m.requests, err = register(reg, m.requests); err != nil {
		return nil, err
	}
	if m.duration, err = register(reg, m.duration); err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		mux.ServeHTTP(sw, r)
		route := r.Pattern // set by the mux on this request
		if route == "" {
			route = routeUnmatched
		}
		code := sw.code
		if code == 0 {
			code = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
		if !sw.hijacked {
			m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}
	}), nil
}

// register registers c, or returns the collector already registered in its
// place by another server of the process.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}

// statusWriter remembers the status a handler answered with. It passes
// Flush and Hijack through, so that streams and websockets work behind it.
type statusWriter struct {
	http.ResponseWriter
	code     int
	hijacked bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.code, w.hijacked = http.StatusSwitchingProtocols, true
	}
	return c, rw, err
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
