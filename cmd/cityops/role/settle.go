package role

import (
	"context"
	"log/slog"
	"time"

	"github.com/cityops/cityops/store"
)

// How the sink keeps history fast to ask: every settleEvery it merges each
// month not written to for settleQuiet into one part, which the planner
// queries then read without FINAL (see store.Settle). Replicas of the store
// role may all do it: merging a settled month again is a no-op.
const (
	settleEvery = time.Hour
	settleQuiet = 10 * time.Minute
)

// settleLoop settles the months not written to for quiet at start and then
// every period until ctx is done. A failure is logged and tried again at the
// next round: the queries stay exact on unsettled months, only slower.
func settleLoop(ctx context.Context, s *store.Store, every, quiet time.Duration, log *slog.Logger) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		months, err := s.Settle(ctx, quiet, time.Now())
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			log.Warn("settling quiet months", "err", err)
		case len(months) > 0:
			log.Info("settled quiet months", "partitions", months)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
