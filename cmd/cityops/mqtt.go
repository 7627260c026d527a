package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/mqtt"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/web"
	"github.com/prometheus/client_golang/prometheus"
)

// mqttEnv are the environment variables of the MQTT flags. They are not
// settings of the config file (see docs/mqtt.md).
var mqttEnv = []string{"CITYOPS_MQTT_URL", "CITYOPS_MQTT_USER", "CITYOPS_MQTT_PASSWORD", "CITYOPS_MQTT_CLIENT_ID"}

// mqttOptions say which MQTT broker the intake reads and as whom.
type mqttOptions struct {
	url, user, password, clientID string
}

// register adds the MQTT flags. The client id names the replica's
// persistent session on the broker, so it defaults to one stable per host
// (a StatefulSet's pod name in Kubernetes).
func (m *mqttOptions) register(fs *flag.FlagSet, what string) {
	host, _ := os.Hostname()
	fs.StringVar(&m.url, "mqtt", envOr("CITYOPS_MQTT_URL", "tcp://127.0.0.1:1883"), "MQTT broker URL"+what+" (env CITYOPS_MQTT_URL)")
	fs.StringVar(&m.user, "mqtt-user", envOr("CITYOPS_MQTT_USER", "cityops"), "MQTT user (env CITYOPS_MQTT_USER)")
	fs.StringVar(&m.password, "mqtt-password", os.Getenv("CITYOPS_MQTT_PASSWORD"), "MQTT password (env CITYOPS_MQTT_PASSWORD)")
	fs.StringVar(&m.clientID, "mqtt-client-id", envOr("CITYOPS_MQTT_CLIENT_ID", "cityops-mqtt-"+host), "MQTT client id: the replica's session on the broker, stable across restarts and unique per replica (env CITYOPS_MQTT_CLIENT_ID)")
}

// runMQTT runs the MQTT intake alone: readings from
// cityops/readings/{device_id} onto the readings topic, with probes and
// metrics on --admin.
func runMQTT(ctx context.Context, args []string, _, stderr io.Writer) error {
	var o proc
	var m mqttOptions
	fs := newFlags("mqtt", stderr, &o.config, "kafka", "pack", "admin", "run")
	m.register(fs, "")
	if err := parseFlags(fs, &o.config, args); err != nil {
		return err
	}
	if m.password == "" {
		return usageErrorf("no MQTT password: set --mqtt-password or CITYOPS_MQTT_PASSWORD")
	}
	pack, err := o.loadPack()
	if err != nil {
		return err
	}
	log := o.logger(stderr)
	if err := bus.EnsureTopics(ctx, o.brokers(), o.Kafka.Partitions, bus.Topics...); err != nil {
		return err
	}
	reg, err := o.instrument()
	if err != nil {
		return err
	}
	conn := &mqtt.Conn{}
	kafkaUp := kafkaReady(&o)
	admin := web.NewAdmin(reg, func(ctx context.Context) error { // ready: Kafka answers and the subscription is up
		return errors.Join(kafkaUp(ctx), conn.Ready(ctx))
	}, log)
	return runInOrder(ctx, o.Shutdown.Timeout, log, admin.Drain,
		stage{"mqtt", func(ctx context.Context) error { return mqttIntake(ctx, &o, &m, pack, conn, reg, log) }, nil},
		stage{"probes", func(ctx context.Context) error { return serveAdmin(ctx, o.Admin.Listen, admin, reg, log) }, nil},
	)
}

// mqttIntake runs the MQTT intake until ctx is done.
func mqttIntake(ctx context.Context, o *proc, m *mqttOptions, pack *rules.Pack, conn *mqtt.Conn, reg prometheus.Registerer, log *slog.Logger) error {
	c, closeWriters, err := mqttConfig(o, m, pack, log)
	if err != nil {
		return err
	}
	defer closeWriters()
	c.Conn = conn
	if c.Metrics, err = mqtt.NewMetrics(reg); err != nil {
		return err
	}
	if err := mqtt.Run(ctx, c); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// mqttConfig is the intake's config: the pack's devices and bounds, and
// writers to the readings and dead-letter topics, which the returned func
// closes.
func mqttConfig(o *proc, m *mqttOptions, pack *rules.Pack, log *slog.Logger) (mqtt.Config, func(), error) {
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return mqtt.Config{}, nil, fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
	}
	readings := o.hooks.writer(o.brokers(), bus.TopicReadingsRaw)
	dlq := o.hooks.writer(o.brokers(), bus.TopicDLQ)
	return mqtt.Config{
		Broker: m.url, ClientID: m.clientID, Username: m.user, Password: m.password,
		Validator: &ingest.Validator{BBox: areas.BBox()}, Devices: devices(pack),
		Publish: readings.WriteMessages, DeadLetter: dlq.WriteMessages, Logger: log,
	}, func() { readings.Close(); dlq.Close() }, nil
}

// devMQTT returns the MQTT intake stage of cityops dev when a broker
// answers at --mqtt, and says in the log why there is none otherwise.
// Without a password it takes the one deploy/local/mosquitto.sh keeps under
// the data dir.
func devMQTT(ctx context.Context, o *proc, m *mqttOptions, dataDir string, pack *rules.Pack, reg prometheus.Registerer, log *slog.Logger) (stage, bool) {
	log = log.With("role", "mqtt")
	if m.url == "" {
		log.Info("MQTT intake off (--mqtt is empty)")
		return stage{}, false
	}
	if m.password == "" {
		if b, err := os.ReadFile(filepath.Join(dataDir, "mosquitto", m.user+".password")); err == nil {
			m.password = strings.TrimSpace(string(b))
		}
	}
	if m.clientID == "" {
		m.clientID = "cityops-dev"
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := mqtt.Check(cctx, mqtt.Config{Broker: m.url, ClientID: m.clientID, Username: m.user, Password: m.password}); err != nil {
		log.Warn("no MQTT broker answers: MQTT intake off (start one with deploy/local/mosquitto.sh start, as dev.sh does)", "broker", m.url, "err", err)
		return stage{}, false
	}
	log.Info("MQTT intake on", "broker", m.url, "topics", mqtt.TopicFilter)
	return stage{"mqtt", func(ctx context.Context) error { return mqttIntake(ctx, o, m, pack, nil, reg, log) }, nil}, true
}
