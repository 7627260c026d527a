package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
)

// testEnv is what the tests of the subcommands run them on: an embedded
// broker and a private ClickHouse server with the schema in place. The role
// package's tests have their own, which also runs the roles' stages.
type testEnv struct {
	o    role.Config
	s    *store.Store
	pack *rules.Pack
	log  *slog.Logger
}

// newTestEnv starts the services for one test. c gives the settings the test
// cares about (the database, partitions: 2 by default); the addresses are
// filled in. The pipeline's topics exist when it returns. Everything is
// stopped when the test ends.
func newTestEnv(ctx context.Context, t *testing.T, c role.Config) *testEnv {
	t.Helper()
	if c.Kafka.Partitions == 0 {
		c.Kafka.Partitions = 2
	}
	sv := roletest.Start(ctx, t, c.Kafka.Partitions, c.ClickHouse.Database)
	c.Kafka.Brokers, c.ClickHouse.Addr, c.HTTP.Listen = sv.Brokers, sv.ClickHouse, roletest.FreeAddr(t)
	pack, err := c.LoadPack()
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{o: c, s: sv.Store, pack: pack, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// run starts the roles and stops them when the test ends, before the
// services they use; a role that fails fails the test.
func (e *testEnv) run(ctx context.Context, t *testing.T, roles ...func(ctx context.Context) error) {
	t.Helper()
	roletest.Run(ctx, t, roles...)
}
