package main

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var updateRulesGolden = flag.Bool("update-rules-golden", false, "rewrite testdata/rules_test.golden")

// TestRulesTestGolden runs `cityops rules test` over the demo events and
// compares every decision and explanation with the golden file.
func TestRulesTestGolden(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"rules", "test", "../../deploy/demo/city", "../../rules/testdata/demo_events.ndjson"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	const golden = "testdata/rules_test.golden"
	if *updateRulesGolden {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("got:\n%s\nwant:\n%s", out.Bytes(), want)
	}
}
