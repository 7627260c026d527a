package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/deploy/sim"
)

func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o role.Config
	fs := newFlags("sim", stderr, &o, "pack")
	var cfg sim.Config
	fs.StringVar(&cfg.Target, "target", "http://127.0.0.1:8080", "base URL of the running system")
	fs.StringVar(&cfg.Key, "key", envOr("CITYOPS_INTAKE_KEY", devIntakeSecret), "intake key sent as Authorization: Bearer (env CITYOPS_INTAKE_KEY; default: cityops dev's)")
	fs.Float64Var(&cfg.Rate, "rate", 20, "events per second")
	fs.DurationVar(&cfg.Duration, "duration", 0, "how long to run (0: until interrupted)")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "random seed for a repeatable stream (0: random)")
	fs.IntVar(&cfg.Workers, "workers", 8, "concurrent requests")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	cfg.Logger = o.Logger(stderr)
	pack, err := o.LoadPack()
	if err != nil {
		return err
	}
	s, err := sim.New(pack, cfg.Seed)
	if err != nil {
		return err
	}
	st, err := sim.Run(ctx, s, cfg)
	fmt.Fprintf(stdout, "sent %d, accepted %d, rejected %d, failed %d\n", st.Sent, st.Accepted, st.Rejected, st.Failed)
	return err
}
