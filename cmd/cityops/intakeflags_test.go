package main

import (
	"io"
	"slices"
	"testing"

	"github.com/cityops/cityops/ingest"
)

// TestIntakeFlags checks that only dev accepts the dev intake key, api key
// and officer token by default.
func TestIntakeFlags(t *testing.T) {
	t.Setenv("CITYOPS_API_KEYS", "city-key")
	t.Setenv("CITYOPS_OFFICERS", "")
	t.Setenv("CITYOPS_INTAKE_KEYS", "city=city-key;sources=hotline")
	for _, tc := range []struct {
		command      string
		keys, offcrs int
		dev          bool
	}{
		{"dev", 2, 1, true},
		{"web", 1, 0, false},
	} {
		var o options
		fs := newFlags(tc.command, io.Discard, &o, "http")
		if err := fs.Parse(nil); err != nil {
			t.Fatal(err)
		}
		keys, officers := set(o.intake.apiKeys), pairs(o.intake.officers)
		if len(keys) != tc.keys || keys["dev-key"] != tc.dev || !keys["city-key"] || len(officers) != tc.offcrs {
			t.Errorf("%s: keys %v officers %v", tc.command, keys, officers)
		}
		intake, err := ingest.ParseKeys(o.intake.keys)
		if err != nil || intake.Len() != tc.keys || slices.Contains(intake.Names(), "dev") != tc.dev {
			t.Errorf("%s: intake keys %v %v", tc.command, intake.Names(), err)
		}
	}
}
