package role

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
)

// namesRetry is how long syncNames waits after a failed sync (ClickHouse
// down) before it tries again.
const namesRetry = 30 * time.Second

// syncNames keeps ClickHouse's departments, areas and categories tables as
// the pack names them, for planners' SQL: once at start and, with a pack
// directory, after each reload that passes the pack's checks. A failed sync
// is logged and tried again; it never stops the store role. It returns when
// ctx is done.
func syncNames(ctx context.Context, o *proc, s *store.Store, pack *rules.Pack, log *slog.Logger) error {
	changed := make(chan *rules.Pack, 1)
	if o.Pack != "" {
		r, err := rules.NewReloader(o.Pack, rules.ReloaderOptions{
			OnSwap: func(p *rules.Pack) {
				select {
				case <-changed: // a newer pack replaces one not synced yet
				default:
				}
				changed <- p
			},
			OnError: func(err error) {
				log.Error("the changed pack is not valid, keeping the names of the running one", "err", err)
			},
		})
		if err != nil {
			return err
		}
		go r.Run(ctx)
	}
	var retry <-chan time.Time
	sync := func() {
		if err := syncPackNames(ctx, s, pack); err != nil {
			log.Error("writing the pack's names to clickhouse, trying again", "err", err, "in", namesRetry)
			retry = time.After(namesRetry)
			return
		}
		retry = nil
		log.Info("pack names written to clickhouse", "pack", pack.Name)
	}
	sync()
	for {
		select {
		case <-ctx.Done():
			return nil
		case pack = <-changed:
			sync()
		case <-retry:
			sync()
		}
	}
}

// syncPackNames writes the pack's names with one store.SyncNames.
func syncPackNames(ctx context.Context, s *store.Store, pack *rules.Pack) error {
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return fmt.Errorf("reading the pack's areas: %w", err)
	}
	return s.SyncNames(ctx, store.Names{Departments: pack.Departments, Areas: areas.Areas(), Categories: pack.Categories}, time.Now())
}
