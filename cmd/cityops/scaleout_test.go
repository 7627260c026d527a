package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// TestScaleOutKill9 runs three `cityops process` replicas, real child
// processes of the built binary, in one consumer group on the embedded
// broker, with the store sink writing to ClickHouse. It streams the real NYC
// 311 requests, kills one replica with SIGKILL in the middle, and checks
// that the other two take over its partitions and its state: ClickHouse
// ends with every event exactly once.
func TestScaleOutKill9(t *testing.T) {
	realdata.Require(t) // the traffic is NYC 311 requests
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, role.Config{ClickHouse: role.ClickHouseConfig{Database: "cityops_scale"}, Kafka: role.KafkaConfig{Partitions: 6}})
	o, s, log := &e.o, e.s, e.log
	e.run(ctx, t, func(ctx context.Context) error { return role.Sink(ctx, *o, s, log) })

	bin := filepath.Join(t.TempDir(), "cityops")
	build := exec.CommandContext(ctx, filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building cityops: %v\n%s", err, out)
	}
	logs := t.TempDir()
	var replicas []*exec.Cmd
	for i := range 3 {
		f, err := os.Create(filepath.Join(logs, fmt.Sprint("process-", i, ".log")))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		// The readings path of each replica stores into the test's database.
		cmd := exec.Command(bin, "process", "-kafka", o.Kafka.Brokers[0], "-partitions", strconv.Itoa(o.Kafka.Partitions),
			"-clickhouse", o.ClickHouse.Addr, "-database", o.ClickHouse.Database,
			"-session", "6s", "-admin", "", "-log-level", "info")
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, cmd)
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}

	evs := nycEvents(t)
	w := bus.NewWriter(o.Brokers(), bus.TopicEventsRaw)
	defer w.Close()
	send := func(evs []*cityops.Event) {
		msgs := make([]kafka.Message, len(evs))
		for i, ev := range evs {
			v, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			msgs[i] = kafka.Message{Key: []byte(ev.ID), Value: v}
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	stored := func() uint64 {
		n, err := s.CountEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Stream the requests in chunks over a few seconds; kill a replica once
	// a quarter is stored, while the rest is still arriving.
	start := time.Now()
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := 0; i < len(evs); i += 200 {
			send(evs[i:min(i+200, len(evs))])
			time.Sleep(100 * time.Millisecond)
		}
	}()
	roletest.WaitFor(t, 60*time.Second, func() error {
		if n := stored(); n < uint64(len(evs)/4) {
			return fmt.Errorf("%d of %d events stored before the kill", n, len(evs))
		}
		return nil
	})
	if err := replicas[1].Process.Kill(); err != nil { // SIGKILL: no snapshot, no commit, no leave
		t.Fatal(err)
	}
	killedAt := stored()
	<-sent
	roletest.WaitFor(t, 90*time.Second, func() error {
		if n := stored(); n != uint64(len(evs)) {
			return fmt.Errorf("%d of %d events stored", n, len(evs))
		}
		return nil
	})

	var rows, distinct, incidents, merged uint64
	query := func(q string, dst *uint64) {
		r, err := s.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if !r.Next() {
			t.Fatalf("%s: no row", q)
		}
		if err := r.Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	query("SELECT count() FROM cityops_scale.events FINAL", &rows)
	query("SELECT uniqExact(id) FROM cityops_scale.events", &distinct)
	query("SELECT uniqExact(incident_id) FROM cityops_scale.events", &incidents)
	query("SELECT count() FROM cityops_scale.events FINAL WHERE incident_id != concat('INC-', id)", &merged)
	if rows != distinct || distinct != uint64(len(evs)) {
		t.Fatalf("events after FINAL %d, distinct %d, sent %d: want all equal", rows, distinct, len(evs))
	}
	if merged == 0 || incidents >= distinct {
		t.Errorf("%d incidents for %d events, %d merged: the merge stage did not merge", incidents, distinct, merged)
	}
	t.Logf("%d events sent, %d stored once each (%d stored when a replica was killed), %d incidents, %d reports merged, in %v",
		len(evs), rows, killedAt, incidents, merged, time.Since(start).Round(time.Second))
}

// nycEvents reads the real NYC 311 requests as hotline events.
func nycEvents(t *testing.T) []*cityops.Event {
	t.Helper()
	f := realdata.Open(t, "nyc311/nyc311_dev.csv")
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var out []*cityops.Event
	for {
		rec, err := r.Read()
		if err == io.EOF {
			intoDemoCity(t, out)
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		lat, err1 := strconv.ParseFloat(rec[col["latitude"]], 64)
		lon, err2 := strconv.ParseFloat(rec[col["longitude"]], 64)
		at, err3 := time.Parse("2006-01-02T15:04:05", rec[col["created_date"]])
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, &cityops.Event{ID: "nyc-" + rec[col["unique_key"]], Source: cityops.SourceHotline, Type: "311",
			Text: rec[col["complaint_type"]] + ": " + rec[col["descriptor"]], Lat: lat, Lon: lon, Time: at, Received: at})
	}
}

// intoDemoCity moves events, keeping their layout, into the extent of the
// demo city's areas, the city the replicas run: the processor refuses events
// outside its pack's areas, as intake does.
func intoDemoCity(t *testing.T, evs []*cityops.Event) {
	t.Helper()
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		t.Fatal(err)
	}
	to := areas.BBox() // min lon, min lat, max lon, max lat
	from := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, ev := range evs {
		from = [4]float64{min(from[0], ev.Lon), min(from[1], ev.Lat), max(from[2], ev.Lon), max(from[3], ev.Lat)}
	}
	scale := func(v, f0, f1, t0, t1 float64) float64 {
		if f1 == f0 {
			return (t0 + t1) / 2
		}
		// A tenth of the target's span is kept clear at each side.
		span := t1 - t0
		return t0 + span/10 + (v-f0)/(f1-f0)*span*8/10
	}
	for _, ev := range evs {
		ev.Lon = scale(ev.Lon, from[0], from[2], to[0], to[2])
		ev.Lat = scale(ev.Lat, from[1], from[3], to[1], to[3])
	}
}
