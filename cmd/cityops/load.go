package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/deploy/load"
)

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o role.Config
	fs := newFlags("load", stderr, &o, "clickhouse", "pack")
	var cfg load.Config
	fs.StringVar(&cfg.Target, "target", "http://127.0.0.1:8080", "base URL of the running system: intake API and live map")
	kafkaAddr := fs.String("kafka", "", "produce straight to the topics on these brokers (hotline to events.raw, readings to readings.raw) instead of posting to the intake API")
	fs.StringVar(&cfg.Key, "key", envOr("CITYOPS_INTAKE_KEY", devIntakeSecret), "intake key sent as Authorization: Bearer (env CITYOPS_INTAKE_KEY; default: cityops dev's)")
	fs.Float64Var(&cfg.Rate, "rate", 1000, "events per second")
	fs.DurationVar(&cfg.Duration, "duration", 0, "how long to send")
	fs.IntVar(&cfg.Events, "events", 0, "how many events to send (instead of --duration)")
	fs.IntVar(&cfg.Workers, "workers", 0, "concurrent senders (default 16 for HTTP, 4 for Kafka)")
	fs.DurationVar(&cfg.Drain, "drain", time.Minute, "longest wait after the last send for events to be stored and shown")
	fs.DurationVar(&cfg.Poll, "poll", 200*time.Millisecond, "how often to look for the run's events in ClickHouse")
	mix := fs.Float64("mix", 0.01, "share of hotline requests; the rest are sensor readings (0.01: a city's mix, the default for throughput runs; 0.5: the hotline path under load)")
	data := fs.String("data", "", "directory of the real data replayed (nyc311/, iot/; docs/testdata.md); default: the city's own simulated requests and readings")
	noStore := fs.Bool("no-store", false, "do not look for the events in ClickHouse")
	wsURL := fs.String("ws", "", "live map websocket (default: /ws/live of --target; \"off\" to not watch)")
	token := fs.String("token", "", "center token for the live map (default: the center token of --tokens)")
	tokens := fs.String("tokens", "./.cityops/tokens.json", "tokens file written by cityops dev")
	subscribe := fs.String("subscribe", "", "the subscription to send on the live map (default: every incident in the city's extent)")
	jsonOut := fs.String("json", "", "also write the report as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	pack, err := o.LoadPack()
	if err != nil {
		return err
	}
	src, err := loadSources(*data, *mix)
	if err != nil {
		return err
	}
	run := strconv.FormatInt(time.Now().UnixNano()/1e6, 36)
	if cfg.Traffic, err = load.NewTraffic(run, pack, src); err != nil {
		return err
	}
	if *kafkaAddr != "" {
		cfg.Kafka = strings.Split(*kafkaAddr, ",")
	}
	if !*noStore {
		s, err := o.OpenStore(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		cfg.Store = s
	}
	if *wsURL != "off" {
		ws := &load.WS{URL: *wsURL, Token: *token, Subscribe: *subscribe}
		if ws.URL == "" {
			ws.URL = "ws" + strings.TrimPrefix(cfg.Target, "http") + "/ws/live"
		}
		if ws.Token == "" {
			ws.Token = centerToken(*tokens)
		}
		ws.BBox = cfg.Traffic.BBox()
		cfg.WS = ws
	}
	cfg.Progress = stderr
	replayed := "replayed from " + *data
	if *data == "" {
		replayed = "simulated in " + pack.Name
	}
	fmt.Fprintf(stderr, "load run %s: %d hotline requests %s, mix %.2f\n", run, cfg.Traffic.HotlineRows(), replayed, *mix)
	r, err := load.Run(ctx, cfg)
	if r != nil {
		r.WriteTable(stdout)
		if *jsonOut != "" {
			err = errors.Join(err, r.WriteJSON(*jsonOut))
		}
	}
	return err
}

// loadSources reads the real data a run replays from dir. Without a dir the
// run replays the city's simulated requests and readings.
func loadSources(dir string, mix float64) (load.Sources, error) {
	src := load.Sources{HotlineMix: mix}
	if dir == "" {
		return src, nil
	}
	for _, f := range []struct {
		path string
		dst  *[]byte
	}{
		{"nyc311/nyc311_dev.csv", &src.NYC311},
		{"iot/chicago_beach/Beach_Water_Quality_-_Automated_Sensors.csv", &src.Beach},
		{"iot/santander/sensores_smart_env_monitoring_snapshot.json", &src.Santander},
	} {
		b, err := os.ReadFile(filepath.Join(dir, f.path))
		if err != nil {
			return src, fmt.Errorf("reading the replayed data (--data): %w", err)
		}
		*f.dst = b
	}
	return src, nil
}

// centerToken returns the center's token from a tokens file, or "" when
// there is none.
func centerToken(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var t struct {
		Center string `json:"center"`
	}
	if json.Unmarshal(b, &t) != nil {
		return ""
	}
	return t.Center
}
