package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestUsageConventions checks the exit codes and outputs of help, version
// and usage errors: help that was asked for exits 0 and never says "flag:
// help requested", a command line cityops cannot run exits 2.
func TestUsageConventions(t *testing.T) {
	cases := []struct {
		args     []string
		code     int
		out, err string // text the output must contain
	}{
		{args: nil, code: 2, err: "usage: cityops COMMAND"},
		{args: []string{"--help"}, code: 0, out: "usage: cityops COMMAND"},
		{args: []string{"-h"}, code: 0, out: "usage: cityops COMMAND"},
		{args: []string{"--version"}, code: 0, out: "cityops "},
		{args: []string{"version"}, code: 0, out: "cityops "},
		{args: []string{"version", "extra"}, code: 2},
		{args: []string{"nope"}, code: 2, err: "unknown command"},
		{args: []string{"process", "--help"}, code: 0, err: "-kafka"},
		// A setting's flag is named by its type, a string's default quoted.
		{args: []string{"process", "--help"}, code: 0, err: "  -partitions int\n"},
		{args: []string{"process", "--help"}, code: 0, err: "  -session duration\n"},
		{args: []string{"process", "--help"}, code: 0, err: `(default "127.0.0.1:9092")`},
		{args: []string{"web", "--help"}, code: 0, err: "  -public-min-count int\n"},
		{args: []string{"process", "--bogus"}, code: 2, err: "-bogus"},
		{args: []string{"dlq", "--help"}, code: 0, err: "-dry-run"},
		{args: []string{"dlq"}, code: 2, err: "-json"},
		{args: []string{"dlq", "list", "-h"}, code: 0, err: "-json"},
		{args: []string{"rules", "--help"}, code: 0, err: "-history"},
		{args: []string{"rules"}, code: 2, err: "-since"},
		{args: []string{"pack", "--help"}, code: 0, err: "-national"},
		{args: []string{"pack"}, code: 2, err: "pack eval"},
		{args: []string{"pack", "eval", "--help"}, code: 0, err: "usage: cityops pack eval"},
		{args: []string{"pack", "nope"}, code: 2, err: "unknown pack command"},
		{args: []string{"check-config", "--help"}, code: 0, err: "CITYOPS_"},
		{args: []string{"replay"}, code: 2, err: "want one CSV file"},
		{args: []string{"migrate", "--bogus"}, code: 2, err: "-bogus"},
		{args: []string{"sim", "-h"}, code: 0, err: "-rate"},
		{args: []string{"check-config"}, code: 2, err: "usage: cityops check-config FILE"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(append([]string{"cityops"}, tc.args...), " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errb)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out.String(), errb.String())
			}
			if !strings.Contains(out.String(), tc.out) {
				t.Errorf("stdout %q lacks %q", out.String(), tc.out)
			}
			if !strings.Contains(errb.String(), tc.err) {
				t.Errorf("stderr %q lacks %q", errb.String(), tc.err)
			}
			if strings.Contains(out.String()+errb.String(), "help requested") {
				t.Errorf("says help requested:\n%s%s", out.String(), errb.String())
			}
		})
	}
}
