package role

import (
	"context"
	"errors"
	"fmt"
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

// MQTTConfig says which MQTT broker the intake reads and as whom. They are
// not settings of the config file (see docs/mqtt.md).
type MQTTConfig struct {
	URL, User, Password string
	// ClientID names the replica's persistent session on the broker.
	ClientID string
}

// MQTT runs the MQTT intake alone until ctx is done: readings from
// cityops/readings/{device_id} onto the readings topic, with probes and
// metrics on cfg.Admin.
func MQTT(ctx context.Context, cfg Config, m MQTTConfig, log *slog.Logger) error {
	o := &proc{Config: cfg}
	pack, err := o.LoadPack()
	if err != nil {
		return err
	}
	if err := bus.EnsureTopics(ctx, o.Brokers(), o.Kafka.Partitions, bus.Topics...); err != nil {
		return err
	}
	reg, err := o.instrument()
	if err != nil {
		return err
	}
	conn := &mqtt.Conn{}
	kafkaUp := kafkaReady(o)
	admin := web.NewAdmin(reg, func(ctx context.Context) error { // ready: Kafka answers and the subscription is up
		return errors.Join(kafkaUp(ctx), conn.Ready(ctx))
	}, log)
	return runInOrder(ctx, o.Shutdown.Timeout, log, admin.Drain,
		stage{"mqtt", func(ctx context.Context) error { return mqttIntake(ctx, o, &m, pack, conn, reg, log) }, nil},
		stage{"probes", func(ctx context.Context) error { return serveAdmin(ctx, o.Admin.Listen, admin, reg, log) }, nil},
	)
}

// mqttIntake runs the MQTT intake until ctx is done.
func mqttIntake(ctx context.Context, o *proc, m *MQTTConfig, pack *rules.Pack, conn *mqtt.Conn, reg prometheus.Registerer, log *slog.Logger) error {
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
func mqttConfig(o *proc, m *MQTTConfig, pack *rules.Pack, log *slog.Logger) (mqtt.Config, func(), error) {
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return mqtt.Config{}, nil, fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
	}
	readings := o.hooks.writer(o.Brokers(), bus.TopicReadingsRaw)
	dlq := o.hooks.writer(o.Brokers(), bus.TopicDLQ)
	return mqtt.Config{
		Broker: m.URL, ClientID: m.ClientID, Username: m.User, Password: m.Password,
		Validator: &ingest.Validator{BBox: areas.BBox()}, Devices: devices(pack),
		Publish: readings.WriteMessages, DeadLetter: dlq.WriteMessages, Logger: log,
	}, func() { readings.Close(); dlq.Close() }, nil
}

// devMQTT returns the MQTT intake stage of cityops dev when a broker
// answers at --mqtt, and says in the log why there is none otherwise.
// Without a password it takes the one deploy/local/mosquitto.sh keeps under
// the data dir.
func devMQTT(ctx context.Context, o *proc, m *MQTTConfig, dataDir string, pack *rules.Pack, reg prometheus.Registerer, log *slog.Logger) (stage, bool) {
	log = log.With("role", "mqtt")
	if m.URL == "" {
		log.Info("MQTT intake off (--mqtt is empty)")
		return stage{}, false
	}
	if m.Password == "" {
		if b, err := os.ReadFile(filepath.Join(dataDir, "mosquitto", m.User+".password")); err == nil {
			m.Password = strings.TrimSpace(string(b))
		}
	}
	if m.ClientID == "" {
		m.ClientID = "cityops-dev"
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := mqtt.Check(cctx, mqtt.Config{Broker: m.URL, ClientID: m.ClientID, Username: m.User, Password: m.Password}); err != nil {
		log.Warn("no MQTT broker answers: MQTT intake off (start one with deploy/local/mosquitto.sh start, as dev.sh does)", "broker", m.URL, "err", err)
		return stage{}, false
	}
	log.Info("MQTT intake on", "broker", m.URL, "topics", mqtt.TopicFilter)
	return stage{"mqtt", func(ctx context.Context) error { return mqttIntake(ctx, o, m, pack, nil, reg, log) }, nil}, true
}
