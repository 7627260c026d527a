package rules_test

import (
	"fmt"
	"io/fs"
	"testing/fstest"

	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/deploy/demo"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/rules"
)

// pack200 is the demo pack with its rules replaced by 200: 20 sensor types
// with 5 threshold expressions each, and 10 hotline request types with 10
// keyword rules each, as a city's pack grows.
func pack200(t testing.TB) *rules.Pack {
	t.Helper()
	var b strings.Builder
	b.WriteString("groups:\n  - name: iot\n    mode: first\n    rules:\n")
	for s := range 20 {
		for k := range 5 {
			fmt.Fprintf(&b, "      - {id: iot.s%d.r%d, priority: %d, source: iot, types: [sensor%d], when: 'value >= %d && (hour >= %d || value > %d)', category: '0111', severity: 2}\n",
				s, k, k, s, 10*(5-k), k, 90)
		}
	}
	b.WriteString("  - name: hotline\n    mode: first\n    rules:\n")
	words := []string{"垃圾", "噪音", "积水", "井盖", "路灯", "违停", "小广告", "油烟", "占道", "树枝"}
	for r := range 10 {
		for k := range 10 {
			fmt.Fprintf(&b, "      - {id: hot.t%d.r%d, source: hotline, types: [type%d], keywords: [%s%d, %s, 'word %d'], category: '06010'}\n",
				r, k, r, words[k], r, words[(k+r)%10], k)
		}
	}
	p, err := rules.Load(demoWith(t, map[string]string{"rules/iot.yaml": b.String(), "rules/hotline.yaml": "groups: []\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Engine.Rules(); n != 200 {
		t.Fatalf("%d rules", n)
	}
	return p
}

// events200 are events for pack200, half readings, half complaints.
func events200(p *rules.Pack) []*rules.Input {
	var out []*rules.Input
	for _, ev := range rawEvents200() {
		out = append(out, rules.NewInput(ev, p))
	}
	return out
}

func rawEvents200() []*cityops.Event {
	at := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	var out []*cityops.Event
	for i := range 1000 {
		var ev cityops.Event
		if i%2 == 0 {
			v := float64(i % 60)
			ev = cityops.Event{Source: cityops.SourceIoT, Type: fmt.Sprint("sensor", i%20), Value: &v, Time: at}
		} else {
			ev = cityops.Event{Source: cityops.SourceHotline, Type: fmt.Sprint("type", i%10),
				Text: []string{"小区门口垃圾堆了三天没人清理", "晚上工地噪音太大，影响休息", "the street light is broken again", "路口有人违停"}[i%4], Time: at}
		}
		out = append(out, &ev)
	}
	return out
}

func TestPack200Decides(t *testing.T) {
	p := pack200(t)
	matched := 0
	for _, in := range events200(p) {
		if d := p.Engine.Classify(in); d.Category != "" {
			matched++
		}
	}
	if matched < 300 {
		t.Errorf("only %d of 1000 events matched a rule", matched)
	}
}

// BenchmarkClassify200 measures classification alone with 200 rules:
// decisions per second on one core (-cpu 1) and allocations per event.
func BenchmarkClassify200(b *testing.B) {
	p := pack200(b)
	evs := events200(p)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.Engine.Classify(evs[i%len(evs)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

// demoWith returns the demo pack with some files replaced.
// demoPackWith returns the demo city's pack.yaml with line added.
func demoPackWith(t testing.TB, line string) string {
	t.Helper()
	head, err := fs.ReadFile(demo.City(), "pack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(head) + line + "\n"
}

func demoWith(t testing.TB, files map[string]string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(demo.City(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(demo.City(), p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		m[name] = &fstest.MapFile{Data: []byte(content)}
	}
	return m
}

// BenchmarkInputAndClassify200 adds making each event's input (local time,
// lower-cased text) to the cost, as the processor pays it.
func BenchmarkInputAndClassify200(b *testing.B) {
	p := pack200(b)
	evs := rawEvents200()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.Engine.Classify(rules.NewInput(evs[i%len(evs)], p))
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}
