// Package roletest holds what the tests of cmd/cityops and of its role
// package share: the services a test runs the roles on (an embedded broker
// and a private ClickHouse server with the schema in place), the secrets
// the roles run with, and the helpers that wait for and talk to them. It
// does not import the role package, so that package's own tests can use it.
package roletest

import (
	"context"
	"testing"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
	"golang.org/x/sync/errgroup"
)

// The secrets the roles of the tests run with.
const (
	IntakeKeys   = IntakeName + "=" + IntakeSecret // intake.keys
	IntakeName   = "t"
	IntakeSecret = "test-intake-key"

	CallerKey     = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	ClusterSecret = "c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0"
)

// Scoped is the id intake stores for a client id sent with IntakeSecret.
func Scoped(id string) string { return IntakeName + ":" + id }

// Services are a test's broker and ClickHouse server.
type Services struct {
	Brokers    []string
	ClickHouse string       // native protocol address
	Store      *store.Store // database, migrated
}

// Start starts an embedded broker with the pipeline's topics (bus.Topics)
// and extraTopics, partitions each, and a ClickHouse server with database
// migrated. Everything is stopped when the test ends.
func Start(ctx context.Context, t *testing.T, partitions int, database string, extraTopics ...string) Services {
	t.Helper()
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), partitions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	sv := Services{Brokers: []string{b.Addr()}, ClickHouse: chtest.Start(t)}
	if err := bus.EnsureTopics(ctx, sv.Brokers, partitions, append(bus.Topics, extraTopics...)...); err != nil {
		t.Fatal(err)
	}
	if sv.Store, err = store.Open(ctx, store.Options{Addr: sv.ClickHouse, Database: database}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sv.Store.Close() })
	if err := sv.Store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return sv
}

// Run starts the roles and stops them when the test ends, before the
// services they use; a role that fails fails the test.
func Run(ctx context.Context, t *testing.T, roles ...func(ctx context.Context) error) {
	t.Helper()
	runCtx, stop := context.WithCancel(ctx)
	g, gctx := errgroup.WithContext(runCtx)
	for _, r := range roles {
		g.Go(func() error { return r(gctx) })
	}
	t.Cleanup(func() {
		stop()
		if err := g.Wait(); err != nil {
			t.Errorf("pipeline: %v", err)
		}
	})
}
