package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigSecretsRequired starts the roles that need a secret without
// one, or with a malformed one: each refuses, naming the setting, before it
// connects to anything. cityops dev needs none.
func TestConfigSecretsRequired(t *testing.T) {
	for _, env := range []string{"CITYOPS_CONFIG", "CITYOPS_CLUSTER_SECRET"} {
		t.Setenv(env, "")
	}
	for _, tc := range []struct {
		args []string
		want []string // in the error, all of them
	}{
		{[]string{"dispatch"}, []string{"dispatch.cluster_secret is not set", "CITYOPS_CLUSTER_SECRET", "--cluster-secret"}},
		{[]string{"dispatch", "--cluster-secret", testClusterSecret[:62]}, []string{"dispatch.cluster_secret (from --cluster-secret): 31 bytes, want at least 32"}},
		{[]string{"dispatch", "--cluster-secret", "zz" + testClusterSecret}, []string{"dispatch.cluster_secret (from --cluster-secret): not hex"}},
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

	// Given from the environment, it is accepted.
	t.Setenv("CITYOPS_CLUSTER_SECRET", testClusterSecret)
	var o options
	fs := newFlags("dispatch", io.Discard, &o, "kafka", "pack", "run")
	registerClusterSecret(fs, &o)
	if err := parseFlags(fs, nil); err != nil || o.clusterSecret != testClusterSecret {
		t.Errorf("dispatch: %v, secret %q", err, o.clusterSecret)
	}
	t.Setenv("CITYOPS_CLUSTER_SECRET", "")
	o = options{}
	fs = newFlags("dev", io.Discard, &o, "clickhouse", "http", "pack", "run")
	registerClusterSecret(fs, &o)
	if err := parseFlags(fs, nil); err != nil {
		t.Errorf("dev without secrets: %v", err)
	}
}

// TestConfigDevSecrets checks that cityops dev keeps the secrets it makes
// under its data dir: a restart reads the same ones back. Secrets given are
// used as they are and not written.
func TestConfigDevSecrets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var secret string
	values := map[string]*string{"dispatch.cluster_secret": &secret}
	if err := devSecrets(dir, values); err != nil {
		t.Fatal(err)
	}
	c := defaultConfig()
	c.Dispatch.ClusterSecret = secret
	if err := c.validate(nil); err != nil || secret == "" {
		t.Fatalf("made secrets that do not validate: %v", err)
	}
	st, err := os.Stat(filepath.Join(dir, "cluster.secret"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}

	// The restart.
	var secret2 string
	if err := devSecrets(dir, map[string]*string{"dispatch.cluster_secret": &secret2}); err != nil {
		t.Fatal(err)
	}
	if secret2 != secret {
		t.Fatalf("the restart made a new secret")
	}

	// A given secret wins and is not written.
	given := testClusterSecret
	other := filepath.Join(t.TempDir(), "other")
	if err := devSecrets(other, map[string]*string{"dispatch.cluster_secret": &given}); err != nil {
		t.Fatal(err)
	}
	if given != testClusterSecret {
		t.Errorf("the given secret was replaced")
	}
	if _, err := os.Stat(filepath.Join(other, "cluster.secret")); !os.IsNotExist(err) {
		t.Errorf("the given secret was written: %v", err)
	}

	// A damaged file is an error naming it.
	if err := os.WriteFile(filepath.Join(dir, "cluster.secret"), []byte("abcd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secret = ""
	err = devSecrets(dir, values)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "cluster.secret")) || !strings.Contains(err.Error(), "dispatch.cluster_secret") {
		t.Errorf("damaged secret file: %v", err)
	}
}
