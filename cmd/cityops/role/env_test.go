package role

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
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
	if o.Kafka.Partitions == 0 {
		o.Kafka.Partitions = 2
	}
	if o.Intake.CallerKey == "" {
		o.Intake.CallerKey = roletest.CallerKey
	}
	if len(o.Intake.Keys) == 0 {
		o.Intake.Keys = []string{roletest.IntakeKeys}
	}
	if o.Dispatch.ClusterSecret == "" {
		o.Dispatch.ClusterSecret = roletest.ClusterSecret
	}
	sv := roletest.Start(ctx, t, o.Kafka.Partitions, o.ClickHouse.Database, extraTopics...)
	o.Kafka.Brokers, o.ClickHouse.Addr, o.HTTP.Listen = sv.Brokers, sv.ClickHouse, roletest.FreeAddr(t)
	pack, err := o.LoadPack()
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{o: o, s: sv.Store, pack: pack, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// run starts the roles and stops them when the test ends, before the
// services they use; a role that fails fails the test.
func (e *testEnv) run(ctx context.Context, t *testing.T, roles ...func(ctx context.Context) error) {
	t.Helper()
	roletest.Run(ctx, t, roles...)
}
