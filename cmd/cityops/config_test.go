package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
)

// TestConfigBad loads each testdata/config/*.bad.yml and checks that every
// error it should cause is reported, naming the key and its line.
func TestConfigBad(t *testing.T) {
	expectedErrors := map[string][]string{
		"unknown_key.bad.yml":     {`line 3: unknown key "kafka.partitons"`},
		"unknown_section.bad.yml": {`line 3: unknown key "metrics"`},
		"kafka.bad.yml":           {"line 2: kafka.brokers: is empty", "line 3: kafka.partitions: is 0, want 1 to 10000"},
		"session.bad.yml":         {"line 2: kafka.session_timeout: is 2s, want 6s to 5m0s"},
		"clickhouse.bad.yml":      {`line 2: clickhouse.addr: "clickhouse" is not host:port`, `line 3: clickhouse.database: "city-ops" is not a database name`},
		"listen.bad.yml":          {`line 2: http.listen: "8080" is not host:port`, `line 4: admin.listen: ":99999" has no port number`},
		"intake.bad.yml":          {"line 2: intake.caller_key: 2 bytes, want 16, 24 or 32", `line 3: intake.officers: "alice" is not token=name`},
		"intake_keys.bad.yml":     {`line 2: intake.keys: key city: source "fax" is not hotline or iot`, `line 2: intake.keys: "gw" is not name=key`},
		"web.bad.yml":             {"line 2: web.public_min_count: is 0, want 1 to 1000"},
		"dispatch.bad.yml":        {"line 2: dispatch.cluster_secret: 4 bytes, want at least 32 (64 hex digits)"},
		"shutdown_log.bad.yml":    {"line 2: shutdown.timeout: is 0s, want more than 0", `line 4: log.level: is "loud", want debug, info, warn or error`},
		"type.bad.yml":            {"line 2: cannot unmarshal !!str `many` into int"},
		"syntax.bad.yml":          {"parsing: yaml: line 1: did not find expected node content"},
	}
	files, err := filepath.Glob("testdata/config/*.bad.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(expectedErrors) {
		t.Errorf("%d bad files, %d expected errors: keep them in step", len(files), len(expectedErrors))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, _, err := loadConfig(f, func(string) string { return "" })
			if err == nil {
				t.Fatal("loaded without error")
			}
			for _, want := range expectedErrors[filepath.Base(f)] {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got %q, want it to contain %q", err, want)
				}
			}
		})
	}
}

// TestConfigExample checks that deploy/cityops.example.yml sets every key
// to its default and names every environment variable and flag.
func TestConfigExample(t *testing.T) {
	path := "../../deploy/cityops.example.yml"
	c, src, err := loadConfig(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if def := role.Defaults(); !reflect.DeepEqual(c, def) {
		t.Errorf("the example differs from the defaults:\n got %+v\nwant %+v", c, def)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if _, ok := src.lines[s.key]; !ok {
			t.Errorf("the example does not set %s", s.key)
		}
		if !bytes.Contains(text, []byte(s.env)) || !bytes.Contains(text, []byte("--"+s.flag)) {
			t.Errorf("the example does not name %s or --%s for %s", s.env, s.flag, s.key)
		}
	}
}

// TestConfigPrecedence checks flag > environment > file > default.
func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yml")
	yml := "kafka:\n  partitions: 8\n  brokers: [file:9092]\n  session_timeout: 20s\nclickhouse:\n  addr: file:9000\n  database: fromfile\nshutdown:\n  timeout: 7s\n"
	if err := os.WriteFile(file, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CITYOPS_CONFIG", "")
	t.Setenv("CITYOPS_KAFKA_PARTITIONS", "16")
	t.Setenv("CITYOPS_CLICKHOUSE_ADDR", "env:9000")
	t.Setenv("CITYOPS_KAFKA_BROKERS", "")
	t.Setenv("CITYOPS_KAFKA_SESSION_TIMEOUT", "45s")
	var o role.Config
	fs := newFlags("store", io.Discard, &o, "kafka", "clickhouse", "admin", "run")
	if err := parseFlags(fs, &o, []string{"--config", file, "--clickhouse", "flag:9000"}); err != nil {
		t.Fatal(err)
	}
	got := []any{strings.Join(o.Kafka.Brokers, ","), o.Kafka.Partitions, o.Kafka.SessionTimeout, o.ClickHouse.Addr, o.ClickHouse.Database, o.Shutdown.Timeout, o.Admin.Listen}
	want := []any{"file:9092", 16, 45 * time.Second, "flag:9000", "fromfile", 7 * time.Second, ":8090"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}

	// A bad flag value is reported under its key and flag.
	fs = newFlags("store", io.Discard, &o, "kafka", "clickhouse", "run")
	err := parseFlags(fs, &o, []string{"--config=" + file, "--partitions", "0"})
	if !errors.Is(err, cityops.ErrInvalid) || !strings.Contains(err.Error(), "kafka.partitions (from --partitions): is 0") {
		t.Errorf("got %v, want a kafka.partitions error naming the flag", err)
	}

	// So is a session timeout outside what brokers accept, from the
	// environment and from the flag.
	t.Setenv("CITYOPS_KAFKA_SESSION_TIMEOUT", "10m")
	err = parseFlags(newFlags("process", io.Discard, &o, "kafka"), &o, []string{"--config=" + file})
	if !errors.Is(err, cityops.ErrInvalid) || !strings.Contains(err.Error(), "kafka.session_timeout (from CITYOPS_KAFKA_SESSION_TIMEOUT): is 10m0s, want 6s to 5m0s") {
		t.Errorf("got %v, want a kafka.session_timeout error naming the variable", err)
	}
	t.Setenv("CITYOPS_KAFKA_SESSION_TIMEOUT", "")
	err = parseFlags(newFlags("process", io.Discard, &o, "kafka"), &o, []string{"--config=" + file, "--session", "1s"})
	if !errors.Is(err, cityops.ErrInvalid) || !strings.Contains(err.Error(), "kafka.session_timeout (from --session): is 1s") {
		t.Errorf("got %v, want a kafka.session_timeout error naming the flag", err)
	}
}

// TestCheckConfig runs the subcommand on a good and a bad file.
func TestCheckConfig(t *testing.T) {
	var out, errs bytes.Buffer
	t.Setenv("CITYOPS_CALLER_KEY", roletest.CallerKey)
	t.Setenv("CITYOPS_CLUSTER_SECRET", roletest.ClusterSecret)
	t.Setenv("CITYOPS_INTAKE_KEYS", "gw=gw-s3cret;sources=iot;devices=water-001,water-002\ncity=city-s3cret")
	if code := run(context.Background(), []string{"check-config", "../../deploy/cityops.example.yml"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "partitions: 4") || !strings.Contains(out.String(), "timeout: 30s") {
		t.Errorf("effective config not printed:\n%s", out.String())
	}
	// The secrets are said to be set, and not shown.
	if strings.Contains(out.String(), roletest.CallerKey) || strings.Contains(out.String(), roletest.ClusterSecret) ||
		!strings.Contains(out.String(), "caller_key: (set)") || !strings.Contains(out.String(), "cluster_secret: (set)") {
		t.Errorf("secrets printed or not reported:\n%s", out.String())
	}
	if strings.Contains(out.String(), "s3cret") || !strings.Contains(out.String(), "gw=(set);sources=iot;devices=water-001,water-002") || !strings.Contains(out.String(), "city=(set)") {
		t.Errorf("intake keys printed or not reported:\n%s", out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"check-config", "testdata/config/kafka.bad.yml"}, &out, &errs); code != 1 {
		t.Errorf("exit %d for a bad file, want 1", code)
	}
	if out.Len() != 0 || !strings.Contains(errs.String(), "kafka.partitions") {
		t.Errorf("stdout %q stderr %q", out.String(), errs.String())
	}
}
