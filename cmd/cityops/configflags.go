package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/cityops/cityops/cmd/cityops/role"
)

// devIntake are the intake credentials only `cityops dev` accepts besides
// the configured ones.
var devIntake = map[string]string{"intake.keys": role.DevIntakeKey, "intake.api_keys": "dev-key", "intake.officers": "dev-officer=dev officer"}

// devIntakeSecret is the secret of the intake key `cityops dev` adds, the
// default of the sim and load tools.
const devIntakeSecret = role.DevIntakeSecret

// envOr returns the environment variable name, or def when it is empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// parseFlags parses args on fs, whose flags fill c (newFlags), after
// loading the config file given with --config (or CITYOPS_CONFIG) and the
// environment onto c: a flag given on the command line wins over the
// environment, which wins over the file, which wins over the defaults. The
// effective settings are validated once, here.
//
// A command may have a flag of its own under a setting's name (dev's
// --kafka, empty for the embedded broker): the file and the environment
// set that flag, and its value, when not empty, the setting.
func parseFlags(fs *flag.FlagSet, c *role.Config, args []string) error {
	fs.String("config", os.Getenv("CITYOPS_CONFIG"), "YAML config file (see deploy/cityops.example.yml); the environment and flags override it (env CITYOPS_CONFIG)")
	file, src, err := loadConfig(configPath(args, os.Getenv("CITYOPS_CONFIG")), os.Getenv)
	if err != nil {
		return err
	}
	dev := fs.Name() == "cityops dev"
	for _, s := range settings {
		if !src.explicit(s.key) {
			if extra, ok := devIntake[s.key]; ok && dev {
				_ = s.set(c, strings.Trim(s.get(c)+","+extra, ","))
			}
			continue
		}
		v := s.get(&file)
		if extra, ok := devIntake[s.key]; ok && dev {
			v = strings.Trim(v+","+extra, ",")
		}
		if f := fs.Lookup(s.flag); f != nil && !isSetting(f) {
			if err := fs.Set(s.flag, v); err != nil {
				return fmt.Errorf("applying %s to --%s: %w", s.key, s.flag, err)
			}
			continue
		}
		if err := s.set(c, v); err != nil {
			return fmt.Errorf("applying %s: %w", s.key, err)
		}
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	for _, s := range settings {
		f := fs.Lookup(s.flag)
		if f == nil {
			continue
		}
		if !isSetting(f) && f.Value.String() != "" {
			if err := s.set(c, f.Value.String()); err != nil {
				errs = append(errs, fmt.Errorf("%s (--%s): %w", s.key, s.flag, err))
			}
		}
		if given[s.flag] {
			delete(src.lines, s.key)
			src.env[s.key] = "--" + s.flag
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return errors.Join(validate(c, src), requireSecrets(fs), requireIntakeKeys(fs))
}

// isSetting reports whether f is a setting's flag of newFlags.
func isSetting(f *flag.Flag) bool {
	_, ok := f.Value.(settingFlag)
	return ok
}

// configPath finds the value of the last -config or --config in args, up
// to a "--"; def when there is none.
func configPath(args []string, def string) string {
	path := def
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasVal {
			path = val
		} else if i+1 < len(args) {
			path = args[i+1]
			i++
		}
	}
	return path
}

// requireIntakeKeys refuses to start a role other than dev that serves
// intake without a key: nobody could write, or, were keys optional, anybody.
func requireIntakeKeys(fs *flag.FlagSet) error {
	f := fs.Lookup("intake-keys")
	if fs.Name() == "cityops dev" || f == nil || strings.TrimSpace(f.Value.String()) != "" {
		return nil
	}
	return fmt.Errorf("intake.keys is not set: %s serves /api/v1/events and /api/v1/readings, which take only known senders; "+
		"set intake.keys in the config file, CITYOPS_INTAKE_KEYS or --intake-keys to name=key[;sources=hotline,iot][;devices=d1,d2], "+
		"comma- or newline-separated (make a key with: openssl rand -hex 24)", fs.Name())
}
