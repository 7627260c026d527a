package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/cityops/cityops"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is what the server shows and where it reports.
type Config struct {
	// City is the running city: its name, extent, areas, departments and
	// categories, served at /api/v1/city.
	City cityops.City
	// Devices are the registered sensors, served in /api/v1/city so that the
	// live map draws them and names what a chart shows.
	Devices []cityops.Device
	// Alarms are the pack's sensor alarms with the values a chart draws as
	// lines, served in /api/v1/city.
	Alarms []Alarm
	// AreasGeoJSON is a WGS-84 FeatureCollection of the city's areas, with
	// the properties id, name, name_en, level and parent. It is served as is
	// at /api/v1/city/areas.geojson. Nil serves an empty collection.
	AreasGeoJSON []byte
	// API holds further routes, mounted as they are by pattern, for example
	// "POST /api/v1/events". A pattern that clashes with the server's own
	// routes makes New fail.
	API map[string]http.Handler
	// Ready says whether the process can do its work; nil means it can.
	// /readyz calls it with the request's context. A nil Ready is always ready.
	Ready func(ctx context.Context) error
	// Registry holds the metrics of every stage and is served at /metrics.
	// The server registers its own metrics in it. Nil makes a new registry.
	Registry *prometheus.Registry
	// Logger receives the server's logs. Nil discards them.
	Logger *slog.Logger
	// AllowedOrigins are the browser origins, besides the server's own host,
	// that may open the websocket, as "scheme://host[:port]".
	AllowedOrigins []string
	// Authenticate maps the tokens live map clients give to their views.
	// Nil knows no token: every client gets the public view, and a client
	// that gives a token is refused.
	Authenticate Authenticate
	// PublicMinCount is k of the public view's k-anonymity: a cell counting
	// fewer open incidents is not shown to clients without a token. Zero
	// means DefaultPublicMinCount; it must not be negative.
	PublicMinCount int
}

// withDefaults returns cfg with its empty optional fields filled in, or an
// error when a field is unusable.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.City.Name == "" {
		return cfg, fmt.Errorf("checking config: %w", cityops.Invalid("city.name", "is empty"))
	}
	if cfg.AreasGeoJSON == nil {
		cfg.AreasGeoJSON = []byte(`{"type":"FeatureCollection","features":[]}`)
	}
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(cfg.AreasGeoJSON, &fc); err != nil {
		return cfg, fmt.Errorf("checking config: areas GeoJSON: %w", err)
	}
	if fc.Type != "FeatureCollection" {
		return cfg, fmt.Errorf("checking config: %w", cityops.Invalid("areas GeoJSON", "type is %q, want FeatureCollection", fc.Type))
	}
	for _, o := range cfg.AllowedOrigins {
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" {
			return cfg, fmt.Errorf("checking config: %w", cityops.Invalid("allowed origins", "%q is not scheme://host[:port]", o))
		}
	}
	if _, err := time.LoadLocation(cfg.City.TimeZone); err != nil {
		return cfg, fmt.Errorf("checking config: %w", cityops.Invalid("city.time_zone", "%v", err))
	}
	switch {
	case cfg.PublicMinCount < 0:
		return cfg, fmt.Errorf("checking config: %w", cityops.Invalid("public_min_count", "%d is negative", cfg.PublicMinCount))
	case cfg.PublicMinCount == 0:
		cfg.PublicMinCount = DefaultPublicMinCount
	}
	for p, h := range cfg.API {
		if h == nil {
			return cfg, fmt.Errorf("checking config: %w", cityops.Invalid("api", "route %q has no handler", p))
		}
	}
	return cfg, nil
}
