package web

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// registerReady registers cityops_ready on reg: 1 when the role would
// answer /readyz with 200, 0 when it is shutting down or ready fails, asked
// at each scrape. A second server of the same process keeps the first's
// gauge.
func registerReady(reg prometheus.Registerer, draining func() bool, ready func(ctx context.Context) error) error {
	g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "cityops_ready",
		Help: "1 when the role is ready to work (its /readyz answers 200), 0 when shutting down or a dependency does not answer.",
	}, func() float64 {
		if draining() {
			return 0
		}
		if ready != nil {
			ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
			defer cancel()
			if ready(ctx) != nil {
				return 0
			}
		}
		return 1
	})
	_, err := register(reg, prometheus.Collector(g))
	return err
}
