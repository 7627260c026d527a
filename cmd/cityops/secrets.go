package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/ingest/privacy"
)

// secret is a setting that a role cannot run without outside `cityops
// dev`: a key made up at start would not be the one the other replicas, or
// the same replica after a restart, use.
type secret struct {
	key, env, flag string
	why            string
	file           string // where cityops dev keeps its own, under its data dir
	make           func() string
	parse          func(string) error
}

var secrets = []secret{
	{key: "intake.caller_key", env: "CITYOPS_CALLER_KEY", flag: "caller-key",
		why:  "it seals callers' personal data, which a key made up at start could not open after a restart or on another replica",
		file: "caller.key", make: newCallerKey,
		parse: func(s string) error { _, err := privacy.ParseKey(s); return err }},
	{key: "dispatch.cluster_secret", env: "CITYOPS_CLUSTER_SECRET", flag: "cluster-secret",
		why:  "the dispatch replicas sign the requests and the partition announcements they send each other with it",
		file: "cluster.secret", make: taskapi.NewSecret,
		parse: func(s string) error { _, err := taskapi.ParseSecret(s); return err }},
}

// registerClusterSecret adds --cluster-secret.
func registerClusterSecret(fs *flag.FlagSet, c *role.Config) {
	settingVar(fs, c, "dispatch.cluster_secret",
		"hex secret (at least 64 hex digits) the dispatch replicas sign what they send each other with (env CITYOPS_CLUSTER_SECRET)")
}

// requireSecrets refuses to start a role other than dev that has one of
// the secrets' flags but no value for it.
func requireSecrets(fs *flag.FlagSet) error {
	if fs.Name() == "cityops dev" {
		return nil
	}
	var errs []error
	for _, s := range secrets {
		if f := fs.Lookup(s.flag); f != nil && strings.TrimSpace(f.Value.String()) == "" {
			errs = append(errs, fmt.Errorf("%s is not set: %s needs it, as %s; set %s in the config file, %s or --%s (make one with: openssl rand -hex 32)",
				s.key, fs.Name(), s.why, s.key, s.env, s.flag))
		}
	}
	return errors.Join(errs...)
}

// devSecrets gives `cityops dev` the secrets it was not given, kept under
// dir so that they survive a restart: read from their files there, or made
// and written (readable by the owner only) the first time.
func devSecrets(dir string, values map[string]*string) error {
	for _, s := range secrets {
		v := values[s.key]
		if v == nil || *v != "" {
			continue
		}
		path := filepath.Join(dir, s.file)
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			k := strings.TrimSpace(string(b))
			if err := s.parse(k); err != nil {
				return fmt.Errorf("reading %s, the %s of cityops dev: %w (delete it to make a new one)", path, s.key, err)
			}
			*v = k
			continue
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("reading the %s of cityops dev: %w", s.key, err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating the data dir: %w", err)
		}
		k := s.make()
		if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
			return fmt.Errorf("writing the %s of cityops dev: %w", s.key, err)
		}
		*v = k
	}
	return nil
}

// newCallerKey makes a random AES-256 caller key, in hex.
func newCallerKey() string {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // never fails
	return hex.EncodeToString(k)
}
