package chtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func TestStartServesQueriesWithLowCardinality(t *testing.T) {
	addr := Start(t)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("addr = %q, want 127.0.0.1:PORT", addr)
	}
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The users profile allows LowCardinality on 18.16; the client sends no setting.
	if err := conn.Exec(ctx, "CREATE TABLE default.lc (s LowCardinality(String)) ENGINE = MergeTree() ORDER BY s"); err != nil {
		t.Fatalf("creating a LowCardinality table: %v", err)
	}
}

func TestStartTwoServersAtOnce(t *testing.T) {
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("two servers share %s", a)
	}
}

func TestMissingServerNamesTheScript(t *testing.T) {
	t.Setenv("CITYOPS_CH_SERVER", "/nonexistent/clickhouse-server")
	script, err := findScript()
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = start(script, t.TempDir())
	if err == nil {
		t.Fatal("start succeeded without a server binary")
	}
	if !strings.Contains(err.Error(), "deploy/local/clickhouse.sh start") {
		t.Fatalf("error does not say how to install the server:\n%v", err)
	}
}

func TestStopAndRestartKeepsData(t *testing.T) {
	s := StartServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	exec := func(q string) error {
		conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{s.Addr}, DialTimeout: time.Second})
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Exec(ctx, q)
	}
	if err := exec("CREATE TABLE default.kept (n UInt8) ENGINE = MergeTree() ORDER BY n"); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := ping(ctx, s.Addr); err == nil {
		t.Fatal("the stopped server answers")
	}
	s.Stop() // a no-op
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(); err == nil {
		t.Fatal("restarting a running server succeeded")
	}
	if err := exec("SELECT count() FROM default.kept"); err != nil {
		t.Fatalf("the table did not survive the restart: %v", err)
	}
}
