package role

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/history"
	"github.com/cityops/cityops/web"
	"github.com/prometheus/client_golang/prometheus"
)

// Web runs the web role until ctx is done: the HTTP server with the intake
// API, the live map fed from the changes topic, the inbox and planner, the
// history API and, with cfg.Tasks, the dispatchers' tasks API on its
// origin. At shutdown intake closes first.
func Web(ctx context.Context, cfg Config, log *slog.Logger) error {
	o := &proc{Config: cfg}
	tasks, err := tasksProxy(o.Tasks, log)
	if err != nil {
		return err
	}
	pack, err := o.LoadPack()
	if err != nil {
		return err
	}
	s, err := o.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	reg, err := o.instrument()
	if err != nil {
		return err
	}
	return runInOrder(ctx, o.Shutdown.Timeout, log, o.hooks.intake.close,
		stage{"intake", waitDone, o.hooks.intake.idle},
		stage{"web", func(ctx context.Context) error { return serveWeb(ctx, o, pack, s, reg, log, tasks) }, nil},
	)
}

// serveWeb runs the HTTP server, with the intake API, and feeds its live map
// from the changes topic until ctx is done. extra adds the routes of other
// roles run in the same process, such as the tasks API in dev.
func serveWeb(ctx context.Context, o *proc, pack *rules.Pack, s *store.Store, reg *prometheus.Registry, log *slog.Logger, extra ...map[string]http.Handler) error {
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
	}
	api, closeIntake, err := intakeAPI(ctx, o, pack, areas, s, log)
	if err != nil {
		return err
	}
	defer closeIntake()
	cs, err := readCallers(o.Tokens, log)
	if err != nil {
		return err
	}
	api["GET "+history.Prefix] = history.Handler(s, log, nil, history.Access{Caller: cs.history(), Cooperating: o.cooperating})
	for _, routes := range extra {
		maps.Copy(api, routes)
	}
	srv, err := web.New(web.Config{
		Authenticate: cs.live(),
		City:         CityOf(pack, areas),
		Devices:      pack.Devices,
		Alarms:       alarmsOf(pack),
		AreasGeoJSON: pack.AreasGeoJSON,
		API:          api,
		Ready:        o.hooks.intake.ready(readiness(o, s)),
		Registry:     reg,
		Logger:       log,
		// The public view's k; zero (tests that build the config by hand)
		// is the default.
		PublicMinCount: o.Web.PublicMinCount,
	})
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		// Each server replays the whole changes log, so its live map
		// starts from the city's current state. It reads without a group:
		// a group per start would be left on the brokers by every restart.
		errc <- bus.Tail(ctx, bus.ConsumerConfig{
			Brokers: o.Brokers(), Topic: bus.TopicIncidentChanges,
			BatchSize: 1000, BatchWait: time.Millisecond, Logger: log, Metrics: o.hooks.busMetrics(),
		}, srv.ChangeHandler())
	}()
	log.Info("web serving", "addr", o.HTTP.Listen)
	if err := srv.Serve(ctx, o.HTTP.Listen); err != nil {
		return err
	}
	return <-errc
}

// CityOf describes the running city for the web.
func CityOf(p *rules.Pack, areas *geo.Index) cityops.City {
	return cityops.City{
		Name:        p.Name,
		NameEN:      p.NameEN,
		TimeZone:    p.TimeZone,
		Center:      areas.Center(),
		BBox:        areas.BBox(),
		Areas:       areas.Areas(),
		Departments: p.Departments,
		Categories:  p.Categories,
	}
}

// alarmsOf lists the pack's alarms with their limits for the pages' charts.
func alarmsOf(p *rules.Pack) []web.Alarm {
	as := make([]web.Alarm, 0, len(p.Alarms))
	for _, d := range p.Alarms {
		a := web.Alarm{ID: d.ID, Kind: d.Kind, Types: d.Types, Raise: d.Raise, Clear: d.Clear,
			AfterS: int(d.After.Seconds()), Severity: d.Severity, Category: d.Category}
		r, rok, c, cok := d.Limits()
		if rok {
			a.RaiseAt = &r
		}
		if cok {
			a.ClearAt = &c
		}
		as = append(as, a)
	}
	return as
}
