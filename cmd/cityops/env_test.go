package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
	"golang.org/x/sync/errgroup"
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
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if c.Kafka.Partitions == 0 {
		c.Kafka.Partitions = 2
	}
	c.Kafka.Brokers, c.ClickHouse.Addr, c.HTTP.Listen = []string{b.Addr()}, chtest.Start(t), freeAddr(t)
	if err := bus.EnsureTopics(ctx, c.Brokers(), c.Kafka.Partitions, bus.Topics...); err != nil {
		t.Fatal(err)
	}
	s, err := c.OpenStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	pack, err := c.LoadPack()
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{o: c, s: s, pack: pack, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// The secrets the roles of the tests run with.
const (
	testIntakeKeys   = testIntakeName + "=" + testIntakeSecret
	testIntakeName   = "t"
	testIntakeSecret = "test-intake-key"

	testCallerKey     = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	testClusterSecret = "c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0"
)

// scoped is the id intake stores for a client id the tests send with their
// intake key.
func scoped(id string) string { return testIntakeName + ":" + id }

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

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	waitFor(t, 10*time.Second, func() error {
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	})
}

func waitFor(t *testing.T, d time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v: %v", d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer that a command may log into while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// post sends body to intake with the tests' intake key and wants the status want.
func post(t *testing.T, url, body string, want int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testIntakeSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: %d %s, want %d", body, resp.StatusCode, msg, want)
	}
	if want == http.StatusBadRequest {
		var e struct{ Field string }
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Field == "" {
			t.Errorf("400 without a field: %v %+v", err, e)
		}
	}
}

// pointIn returns a point that the index places in area.
func pointIn(t *testing.T, areas *geo.Index, area string) [2]float64 {
	t.Helper()
	b := areas.BBox()
	for i := 0; i < 200; i++ {
		for j := 0; j < 200; j++ {
			lat := b[1] + (b[3]-b[1])*(float64(i)+0.5)/200
			lon := b[0] + (b[2]-b[0])*(float64(j)+0.5)/200
			if a, ok := areas.Locate(lat, lon); ok && a == area {
				return [2]float64{lat, lon}
			}
		}
	}
	t.Fatalf("no point found in area %s", area)
	return [2]float64{}
}
