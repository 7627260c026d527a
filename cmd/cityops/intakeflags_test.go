package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/ingest"
)

// TestIntakeFlags checks that only dev accepts the dev intake key, api key
// and officer token besides those of the environment.
func TestIntakeFlags(t *testing.T) {
	t.Setenv("CITYOPS_API_KEYS", "city-key")
	t.Setenv("CITYOPS_OFFICERS", "")
	t.Setenv("CITYOPS_INTAKE_KEYS", "city=city-key;sources=hotline")
	t.Setenv("CITYOPS_CALLER_KEY", roletest.CallerKey) // web refuses to start without one
	for _, tc := range []struct {
		command      string
		keys, offcrs int
		dev          bool
	}{
		{"dev", 2, 1, true},
		{"web", 1, 0, false},
	} {
		var o role.Config
		fs := newFlags(tc.command, io.Discard, &o, "http")
		if err := parseFlags(fs, &o, nil); err != nil {
			t.Fatal(err)
		}
		keys, officers := map[string]bool{}, map[string]string{}
		for _, k := range o.Intake.APIKeys {
			keys[k] = true
		}
		for _, p := range o.Intake.Officers {
			if k, v, ok := strings.Cut(p, "="); ok {
				officers[k] = v
			}
		}
		if len(keys) != tc.keys || keys["dev-key"] != tc.dev || !keys["city-key"] || len(officers) != tc.offcrs {
			t.Errorf("%s: keys %v officers %v", tc.command, keys, officers)
		}
		intake, err := ingest.ParseKeys(strings.Join(o.Intake.Keys, "\n"))
		if err != nil || intake.Len() != tc.keys || slices.Contains(intake.Names(), "dev") != tc.dev {
			t.Errorf("%s: intake keys %v %v", tc.command, intake.Names(), err)
		}
	}
}
