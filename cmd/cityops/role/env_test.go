package role

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
	o    proc
	s    *store.Store
	pack *rules.Pack
	log  *slog.Logger
}

// newTestEnv starts the services for one test. c gives the settings the test
// cares about (the database, intake settings, partitions: 2 by default); the
// addresses are filled in, and the other settings are left zero.
// The pipeline's topics and extraTopics exist when it returns. Everything is
// stopped when the test ends.
func newTestEnv(ctx context.Context, t *testing.T, c Config, extraTopics ...string) *testEnv {
	t.Helper()
	o := proc{Config: c}
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if o.Kafka.Partitions == 0 {
		o.Kafka.Partitions = 2
	}
	if o.Intake.CallerKey == "" {
		o.Intake.CallerKey = testCallerKey
	}
	if len(o.Intake.Keys) == 0 {
		o.Intake.Keys = []string{testIntakeKeys}
	}
	if o.Dispatch.ClusterSecret == "" {
		o.Dispatch.ClusterSecret = testClusterSecret
	}
	o.Kafka.Brokers, o.ClickHouse.Addr, o.HTTP.Listen = []string{b.Addr()}, chtest.Start(t), freeAddr(t)
	if err := bus.EnsureTopics(ctx, o.Brokers(), o.Kafka.Partitions, append(bus.Topics, extraTopics...)...); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(ctx, store.Options{Addr: o.ClickHouse.Addr, Database: o.ClickHouse.Database})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	pack, err := o.LoadPack()
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
