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
	if _, err := ParseMapping([]byte("id: a\ncolour: red\n")); err == nil {
		t.Error("a mapping with an unknown key was accepted")
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
	got := map[int]string{}
	for _, r := range sum.Rejections {
		got[r.Line] = r.Field
	}
	wf, err := os.Open("testdata/city.want")
	if err != nil {
		t.Fatal(err)
	}
	defer wf.Close()
	accepted := 0
	for sc := bufio.NewScanner(wf); sc.Scan(); {
		var line int
		var want string
		if _, err := fmt.Sscan(sc.Text(), &line, &want); err != nil {
			t.Fatal(err)
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
