package role

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/cityops/cityops/dispatch"
	"github.com/cityops/cityops/rules"
)

// loadMatrix reads the record of matrix changes and records the pack's
// matrix when it differs from the last one recorded: a pack edited while the
// dispatcher was down is recorded when it starts.
func (d *dispatcher) loadMatrix(ctx context.Context) error {
	if err := d.matrix.Load(ctx, d.o.Brokers(), dispatch.MatrixTopic); err != nil {
		return err
	}
	return d.recordMatrix(ctx, d.pack)
}

func (d *dispatcher) recordMatrix(ctx context.Context, pack *rules.Pack) error {
	c, ok, err := d.matrix.Record(ctx, pack.Name, pack.Matrix, time.Now())
	if err != nil {
		return fmt.Errorf("recording the responsibility matrix: %w", err)
	}
	if ok {
		d.log.Info("responsibility matrix changed", "version", c.Version, "previous", c.Previous,
			"added", len(c.Added), "removed", len(c.Removed), "changed", len(c.Changed))
	}
	return nil
}

// watchMatrix polls a pack directory given with --pack and records each
// change of its matrix. The processor applies a new matrix to the incidents
// it creates after it loads it; tasks already open keep their owner.
func (d *dispatcher) watchMatrix(ctx context.Context) error {
	if d.o.Pack == "" {
		return nil
	}
	r, err := rules.NewReloader(d.o.Pack, rules.ReloaderOptions{
		OnSwap: func(p *rules.Pack) {
			if err := d.recordMatrix(ctx, p); err != nil {
				d.log.Error("recording a matrix change", "err", err)
			}
		},
		OnError: func(err error) { d.log.Warn("the edited pack does not load; the matrix stays", "err", err) },
	})
	if err != nil {
		return fmt.Errorf("watching the pack: %w", err)
	}
	return r.Run(ctx)
}

// matrixChanges answers GET /api/v1/matrix/changes: every recorded change,
// newest first, without the full matrices.
func (d *dispatcher) matrixChanges(w http.ResponseWriter, _ *http.Request) {
	all := d.matrix.Changes()
	out := make([]dispatch.MatrixChange, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		c := all[i]
		c.Matrix = nil
		out = append(out, c)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"changes": out})
}
