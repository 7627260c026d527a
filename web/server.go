package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server serves the live map, its websocket, the city's reference data,
// probes and metrics.
type Server struct {
	log      *slog.Logger
	m        *metrics
	hub      *hub
	upgrader *websocket.Upgrader
	ready    func(ctx context.Context) error
	handler  http.Handler
	draining atomic.Bool // set when shutdown starts: not ready, no new live clients
}

// New returns a server for cfg, or an error when cfg is unusable or its
// routes clash.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cfg.City.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("loading the city's time zone: %w", err)
	}
	s := &Server{
		log:      cfg.Logger,
		m:        m,
		hub:      newHub(m, cfg.Authenticate, loc),
		upgrader: newUpgrader(cfg.AllowedOrigins),
		ready:    cfg.Ready,
	}
	s.hub.minCount = cfg.PublicMinCount
	mux, err := s.routes(cfg)
	if err != nil {
		return nil, err
	}
	if s.handler, err = InstrumentHTTP(cfg.Registry, mux); err != nil {
		return nil, err
	}
	if err := registerReady(cfg.Registry, s.draining.Load, cfg.Ready); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler returns the server's routes, for use in a server of the caller's.
func (s *Server) Handler() http.Handler { return s.handler }

// routes mounts the server's own routes and then cfg.API.
func (s *Server) routes(cfg Config) (*http.ServeMux, error) {
	city, err := encodeCity(cfg.City, cfg.Devices, cfg.Alarms)
	if err != nil {
		return nil, err
	}
	files, err := staticAssets()
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", withPageHeaders(files["map.html"]))
	mux.Handle("GET /inbox", withPageHeaders(files["inbox.html"]))
	mux.Handle("GET /planner", withPageHeaders(files["planner.html"]))
	mux.Handle("GET /ui/{name}", withPageHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := files[r.PathValue("name")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		a.ServeHTTP(w, r)
	})))
	mux.HandleFunc("GET /ws/live", s.serveLive)
	mux.Handle("GET /api/v1/city", newAsset("application/json", city))
	mux.Handle("GET /api/v1/city/areas.geojson", newAsset("application/geo+json", cfg.AreasGeoJSON))
	mux.HandleFunc("GET /healthz", serveHealthz)
	mux.HandleFunc("GET /readyz", s.serveReadyz)
	mux.Handle("GET /metrics", promhttp.InstrumentMetricHandler(cfg.Registry,
		promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelError)})))

	patterns := make([]string, 0, len(cfg.API))
	for p := range cfg.API {
		patterns = append(patterns, p)
	}
	slices.Sort(patterns)
	for _, p := range patterns {
		if err := mount(mux, p, cfg.API[p]); err != nil {
			return nil, err
		}
	}
	return mux, nil
}

// mount adds a route, turning the mux's panic on a bad or clashing pattern
// into an error.
func mount(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("mounting route %q: %v", pattern, r)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// pagePolicy lets the page load and connect to nothing but this server.
const pagePolicy = "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

func withPageHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", pagePolicy)
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}
