package main

import (
	"context"
	"flag"
	"io"
	"os"

	"github.com/cityops/cityops/cmd/cityops/role"
)

// mqttEnv are the environment variables of the MQTT flags. They are not
// settings of the config file (see docs/mqtt.md).
var mqttEnv = []string{"CITYOPS_MQTT_URL", "CITYOPS_MQTT_USER", "CITYOPS_MQTT_PASSWORD", "CITYOPS_MQTT_CLIENT_ID"}

// registerMQTT adds the MQTT flags, which fill m. The client id names the
// replica's persistent session on the broker, so it defaults to one stable
// per host (a StatefulSet's pod name in Kubernetes).
func registerMQTT(fs *flag.FlagSet, m *role.MQTTConfig, what string) {
	host, _ := os.Hostname()
	fs.StringVar(&m.URL, "mqtt", envOr("CITYOPS_MQTT_URL", "tcp://127.0.0.1:1883"), "MQTT broker URL"+what+" (env CITYOPS_MQTT_URL)")
	fs.StringVar(&m.User, "mqtt-user", envOr("CITYOPS_MQTT_USER", "cityops"), "MQTT user (env CITYOPS_MQTT_USER)")
	fs.StringVar(&m.Password, "mqtt-password", os.Getenv("CITYOPS_MQTT_PASSWORD"), "MQTT password (env CITYOPS_MQTT_PASSWORD)")
	fs.StringVar(&m.ClientID, "mqtt-client-id", envOr("CITYOPS_MQTT_CLIENT_ID", "cityops-mqtt-"+host), "MQTT client id: the replica's session on the broker, stable across restarts and unique per replica (env CITYOPS_MQTT_CLIENT_ID)")
}

// runMQTT runs the MQTT intake alone (role.MQTT): readings from
// cityops/readings/{device_id} onto the readings topic, with probes and
// metrics on --admin.
func runMQTT(ctx context.Context, args []string, _, stderr io.Writer) error {
	var c role.Config
	var m role.MQTTConfig
	fs := newFlags("mqtt", stderr, &c, "kafka", "pack", "admin", "run")
	registerMQTT(fs, &m, "")
	if err := parseFlags(fs, &c, args); err != nil {
		return err
	}
	if m.Password == "" {
		return usageErrorf("no MQTT password: set --mqtt-password or CITYOPS_MQTT_PASSWORD")
	}
	return role.MQTT(ctx, c, m, c.Logger(stderr))
}
