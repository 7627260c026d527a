package replay

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/ingest"
	"github.com/segmentio/kafka-go"
)

// TestMappingFile replays testdata/city.csv through the mapping in
// testdata/city.mapping.yaml and checks each line's fate against city.want.
func TestMappingFile(t *testing.T) {
	b, err := os.ReadFile("testdata/city.mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMapping(b)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/city.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var published []kafka.Message
	v := &ingest.Validator{BBox: [4]float64{117.0, 30.57, 117.141, 30.672}, Now: func() time.Time { return time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC) }}
	sum, err := Run(context.Background(), f, Config{Mapping: m, Validator: v, BatchSize: 1,
		Publish: func(_ context.Context, ms ...kafka.Message) error { published = append(published, ms...); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	got, warned := map[int]string{}, map[int]string{}
	for _, r := range sum.Rejections {
		got[r.Line] = r.Field
	}
	for _, r := range sum.Warnings {
		warned[r.Line] = r.Field
	}
	wf, err := os.Open("testdata/city.want")
	if err != nil {
		t.Fatal(err)
	}
	defer wf.Close()
	accepted := 0
	for sc := bufio.NewScanner(wf); sc.Scan(); {
		var line int
		var want, warn string
		if _, err := fmt.Sscan(sc.Text(), &line, &want); err != nil {
			t.Fatal(err)
		}
		if f := strings.Fields(sc.Text()); len(f) == 3 {
			warn = f[2]
		}
		if warned[line] != warn {
			t.Errorf("line %d: warned on %q, want %q", line, warned[line], warn)
		}
		if want == "accepted" {
			accepted++
			if _, ok := got[line]; ok {
				t.Errorf("line %d rejected on %s, want accepted", line, got[line])
			}
		} else if got[line] != want {
			t.Errorf("line %d: rejected on %q, want %q", line, got[line], want)
		}
	}
	if sum.Accepted != accepted || len(published) != accepted {
		t.Errorf("accepted %d, published %d, want %d", sum.Accepted, len(published), accepted)
	}
	for _, m := range published {
		if strings.Contains(string(m.Value), "13812345678") {
			t.Errorf("published an unmasked phone: %s", m.Value)
		}
	}
	if string(published[0].Key) != "sh-1" || !strings.Contains(string(published[0].Value), `"time":"2026-06-30T01:00:00Z"`) {
		t.Errorf("first event %s %s", published[0].Key, published[0].Value)
	}
}

func TestParseMappingErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "id: a\ncolour: red\n", `line 2: unknown key "colour" (valid keys: city, id, id_prefix`},
		{"the learn keys are valid", "id: a\nagency: dept\narea: district\narea_format: plain\n", ""},
		{"wrong kind", "id: a\ntext: {a: b}\n", "line 2"},
		{"bad strftime", "id: a\n\ntime_layout: \"%Y-%Q\"\n", "line 3: time_layout: \"%Y-%Q\": %Q is not a directive"},
		{"neither layout", "time_layout: \"yyyy-mm-dd\"\n", "neither a strftime layout"},
		{"bad area format", "area_format: boards\n", `line 1: area_format: "boards"`},
		{"not a mapping", "- id\n", "line 1: want key: value pairs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMapping([]byte(tc.yaml))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestGoLayout(t *testing.T) {
	for in, want := range map[string]string{
		"%Y-%m-%d %H:%M:%S":      "2006-01-02 15:04:05",
		"%m/%d/%Y %I:%M:%S %p":   "01/02/2006 03:04:05 PM",
		"%Y-%m-%dT%H:%M:%S.%f%z": "2006-01-02T15:04:05.000000-0700",
		"%F %T":                  "2006-01-02 15:04:05",
		"2006-01-02T15:04:05":    "2006-01-02T15:04:05",
		"100%% %Y":               "100% 2006",
	} {
		got, err := GoLayout(in)
		if err != nil || got != want {
			t.Errorf("GoLayout(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	tm, err := time.Parse(must(GoLayout("%m/%d/%Y %I:%M:%S %p")), "03/01/2024 02:05:09 PM")
	if err != nil || tm != time.Date(2024, 3, 1, 14, 5, 9, 0, time.UTC) {
		t.Errorf("parsed %v, %v", tm, err)
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}
