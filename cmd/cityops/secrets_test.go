package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/ingest/privacy"
)

// TestConfigSecretsRequired starts the roles that need a secret without
// one, or with a malformed one: each refuses, naming the setting, before it
// connects to anything. cityops dev needs none.
func TestConfigSecretsRequired(t *testing.T) {
	for _, env := range []string{"CITYOPS_CONFIG", "CITYOPS_CALLER_KEY", "CITYOPS_CLUSTER_SECRET", "CITYOPS_INTAKE_KEYS"} {
		t.Setenv(env, "")
	}
	for _, tc := range []struct {
		args []string
		want []string // in the error, all of them
	}{
		{[]string{"web"}, []string{"intake.caller_key is not set", "CITYOPS_CALLER_KEY", "--caller-key"}},
		{[]string{"ingest"}, []string{"intake.caller_key is not set"}},
		{[]string{"web", "--caller-key", roletest.CallerKey}, []string{"intake.keys is not set", "CITYOPS_INTAKE_KEYS", "--intake-keys"}},
		{[]string{"ingest", "--caller-key", roletest.CallerKey}, []string{"intake.keys is not set"}},
		{[]string{"ingest", "--caller-key", roletest.CallerKey, "--intake-keys", "gw=k;sources=fax"}, []string{`intake.keys (from --intake-keys): key gw: source "fax" is not hotline or iot`}},
		{[]string{"dispatch"}, []string{"dispatch.cluster_secret is not set", "CITYOPS_CLUSTER_SECRET", "--cluster-secret"}},
		{[]string{"web", "--caller-key", "abcd"}, []string{"intake.caller_key (from --caller-key): 2 bytes, want 16, 24 or 32"}},
		{[]string{"web", "--caller-key", "not hex at all"}, []string{"intake.caller_key (from --caller-key): encoding/hex"}},
		{[]string{"dispatch", "--cluster-secret", roletest.ClusterSecret[:62]}, []string{"dispatch.cluster_secret (from --cluster-secret): 31 bytes, want at least 32"}},
		{[]string{"dispatch", "--cluster-secret", "zz" + roletest.ClusterSecret}, []string{"dispatch.cluster_secret (from --cluster-secret): not hex"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			if code := run(context.Background(), tc.args, io.Discard, &stderr); code != 1 {
				t.Fatalf("exit %d, want 1: %s", code, stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("got %q, want it to contain %q", stderr.String(), w)
				}
			}
		})
	}

	// Given from the environment, they are accepted.
	t.Setenv("CITYOPS_CALLER_KEY", roletest.CallerKey)
	t.Setenv("CITYOPS_CLUSTER_SECRET", roletest.ClusterSecret)
	t.Setenv("CITYOPS_INTAKE_KEYS", roletest.IntakeKeys)
	var o role.Config
	if err := parseFlags(newFlags("web", io.Discard, &o, "kafka", "clickhouse", "http", "pack", "run"), &o, nil); err != nil || o.Intake.CallerKey != roletest.CallerKey {
		t.Errorf("web: %v, key %q", err, o.Intake.CallerKey)
	}
	fs := newFlags("dispatch", io.Discard, &o, "kafka", "pack", "run")
	registerClusterSecret(fs, &o)
	if err := parseFlags(fs, &o, nil); err != nil || o.Dispatch.ClusterSecret != roletest.ClusterSecret {
		t.Errorf("dispatch: %v, secret %q", err, o.Dispatch.ClusterSecret)
	}
	t.Setenv("CITYOPS_CALLER_KEY", "")
	t.Setenv("CITYOPS_CLUSTER_SECRET", "")
	fs = newFlags("dev", io.Discard, &o, "clickhouse", "http", "pack", "run")
	registerClusterSecret(fs, &o)
	if err := parseFlags(fs, &o, nil); err != nil {
		t.Errorf("dev without secrets: %v", err)
	}
}

// TestConfigDevSecrets checks that cityops dev keeps the secrets it makes
// under its data dir: a restart reads the same ones back, so a caller
// sealed before the restart opens after it. Secrets given are used as they
// are and not written.
func TestConfigDevSecrets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var key, secret string
	values := map[string]*string{"intake.caller_key": &key, "dispatch.cluster_secret": &secret}
	if err := devSecrets(dir, values); err != nil {
		t.Fatal(err)
	}
	c := role.Defaults()
	c.Intake.CallerKey, c.Dispatch.ClusterSecret = key, secret
	if err := validate(&c, nil); err != nil || key == "" || secret == "" {
		t.Fatalf("made secrets that do not validate: %v", err)
	}
	for _, f := range []string{"caller.key", "cluster.secret"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	k, err := privacy.ParseKey(key)
	if err != nil {
		t.Fatal(err)
	}
	before, err := privacy.NewSealer(k)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := before.Seal("311-1", privacy.Caller{Name: "Li Lei", Phone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}

	// The restart.
	var key2, secret2 string
	if err := devSecrets(dir, map[string]*string{"intake.caller_key": &key2, "dispatch.cluster_secret": &secret2}); err != nil {
		t.Fatal(err)
	}
	if key2 != key || secret2 != secret {
		t.Fatalf("the restart made new secrets")
	}
	k2, _ := privacy.ParseKey(key2)
	after, err := privacy.NewSealer(k2)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := after.Open("311-1", sealed); err != nil || c.Phone != "13800138000" {
		t.Errorf("after the restart: %+v %v", c, err)
	}

	// A given secret wins and is not written.
	given := roletest.CallerKey
	other := filepath.Join(t.TempDir(), "other")
	var secret3 string
	if err := devSecrets(other, map[string]*string{"intake.caller_key": &given, "dispatch.cluster_secret": &secret3}); err != nil {
		t.Fatal(err)
	}
	if given != roletest.CallerKey {
		t.Errorf("the given key was replaced")
	}
	if _, err := os.Stat(filepath.Join(other, "caller.key")); !os.IsNotExist(err) {
		t.Errorf("the given key was written: %v", err)
	}

	// A damaged file is an error naming it.
	if err := os.WriteFile(filepath.Join(dir, "caller.key"), []byte("abcd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key = ""
	err = devSecrets(dir, values)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "caller.key")) || !strings.Contains(err.Error(), "intake.caller_key") {
		t.Errorf("damaged key file: %v", err)
	}
}
