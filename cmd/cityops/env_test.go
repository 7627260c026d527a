package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
	"golang.org/x/sync/errgroup"
)

// testEnv is what the end-to-end tests run the roles on: an embedded broker,
// a private ClickHouse server with the schema in place, and the demo city.
type testEnv struct {
	o    options
	s    *store.Store
	pack *rules.Pack
	log  *slog.Logger
}

// newTestEnv starts the services for one test. o gives the settings the test
// cares about (the database, intake options, partitions: 2 by default); the
// addresses are filled in.
// The pipeline's topics and extraTopics exist when it returns. Everything is
// stopped when the test ends.
func newTestEnv(ctx context.Context, t *testing.T, o options, extraTopics ...string) *testEnv {
	t.Helper()
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if o.partitions == 0 {
		o.partitions = 2
	}
	if o.intake.callerKey == "" {
		o.intake.callerKey = testCallerKey
	}
	if o.intake.keys == "" {
		o.intake.keys = testIntakeKeys
	}
	if o.clusterSecret == "" {
		o.clusterSecret = testClusterSecret
	}
	o.kafka, o.clickhouse, o.http = b.Addr(), chtest.Start(t), freeAddr(t)
	if err := bus.EnsureTopics(ctx, o.brokers(), o.partitions, append(bus.Topics, extraTopics...)...); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(ctx, store.Options{Addr: o.clickhouse, Database: o.database})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	pack, err := o.loadPack()
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{o: o, s: s, pack: pack, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// The secrets the roles of the tests run with.
const (
	testIntakeKeys   = testIntakeName + "=" + testIntakeSecret
	testIntakeName   = "t"
	testIntakeSecret = "test-intake-key"

	testCallerKey     = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	testClusterSecret = "c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0"
)

// run starts the roles and stops them when the test ends, before the
// services they use; a role that fails fails the test.
func (e *testEnv) run(ctx context.Context, t *testing.T, roles ...func(ctx context.Context) error) {
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

// scoped is the id intake stores for a client id the tests send with their
// intake key.
func scoped(id string) string { return testIntakeName + ":" + id }
