package role

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/ingest/mqtt/mqtttest"
	"github.com/prometheus/client_golang/prometheus"
)

// TestDevMQTT: cityops dev runs the MQTT intake when the broker answers,
// with the password mosquitto.sh keeps under the data dir, and says in its
// log that it runs without one when no broker answers.
func TestDevMQTT(t *testing.T) {
	o := proc{Config: Defaults()}
	pack, err := o.LoadPack()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	off := MQTTConfig{URL: "tcp://" + roletest.FreeAddr(t), User: "cityops", Password: "x", ClientID: "dev-test"}
	if _, ok := devMQTT(t.Context(), &o, &off, t.TempDir(), pack, prometheus.NewRegistry(), log); ok {
		t.Error("devMQTT with no broker returned a stage")
	}
	if !strings.Contains(logs.String(), "no MQTT broker answers") {
		t.Errorf("the log does not say MQTT is off:\n%s", logs.String())
	}

	m := mqtttest.Start(t)
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "mosquitto"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "mosquitto", "cityops.password"), []byte(mqtttest.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	on := MQTTConfig{URL: m.URL, User: "cityops", ClientID: "dev-test"}
	if _, ok := devMQTT(t.Context(), &o, &on, data, pack, prometheus.NewRegistry(), log); !ok {
		t.Errorf("devMQTT with a broker returned no stage:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "MQTT intake on") {
		t.Errorf("the log does not say MQTT is on:\n%s", logs.String())
	}
}
