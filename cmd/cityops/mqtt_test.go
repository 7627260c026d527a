package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/ingest/mqtt/mqtttest"
	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// TestMQTTRole runs `cityops mqtt` as production runs it, against a real
// mosquitto and the embedded Kafka broker: a reading published for a
// device of the demo city lands on the readings topic, the role is ready
// once subscribed, counts the reading on its metrics, and stops cleanly.
func TestMQTTRole(t *testing.T) {
	m := mqtttest.Start(t)
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	admin := freeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan int, 1)
	var errs syncBuffer
	go func() {
		done <- run(ctx, []string{"mqtt", "--kafka", b.Addr(), "--partitions", "1", "--admin", admin,
			"--mqtt", m.URL, "--mqtt-password", mqtttest.Password, "--mqtt-client-id", "cityops-role-test"}, io.Discard, &errs)
	}()
	waitHTTP(t, "http://"+admin+"/healthz")
	waitFor(t, 10*time.Second, func() error {
		if !strings.Contains(errs.String(), "MQTT intake subscribed") {
			return errors.New("the role has not logged its subscription")
		}
		return nil
	})
	if code := get(t, "http://"+admin+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz of a subscribed mqtt role: %d, want 200", code)
	}

	pub := paho.NewClient(paho.NewClientOptions().AddBroker(m.URL).SetClientID("role-test-gateway").
		SetUsername("device-gateway").SetPassword(mqtttest.GatewayPassword))
	if tok := pub.Connect(); tok.Wait() && tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	defer pub.Disconnect(100)
	at := time.Now().UTC().Add(-time.Second).Format(time.RFC3339)
	if tok := pub.Publish("cityops/readings/water-001", 1, false, `{"value":4.2,"time":"`+at+`"}`); tok.Wait() && tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{b.Addr()}, Topic: bus.TopicReadingsRaw, Partition: 0, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
	defer rcancel()
	rec, err := r.ReadMessage(rctx)
	if err != nil {
		t.Fatalf("no reading on %s: %v\n%s", bus.TopicReadingsRaw, err, lastLines(errs.String(), 10))
	}
	if string(rec.Key) != "water-001" || !strings.Contains(string(rec.Value), `"device_id":"water-001"`) {
		t.Errorf("got %s: %s, want the reading of water-001", rec.Key, rec.Value)
	}
	waitFor(t, 5*time.Second, func() error {
		resp, err := http.Get("http://" + admin + "/metrics")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), `cityops_mqtt_messages_total{result="accepted"} 1`) {
			return errors.New("no cityops_mqtt_messages_total{result=\"accepted\"} 1 on /metrics")
		}
		return nil
	})
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("cityops mqtt: exit %d: %s", code, lastLines(errs.String(), 5))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("cityops mqtt did not stop in 20s")
	}
}

// TestDevMQTT: cityops dev runs the MQTT intake when the broker answers,
// with the password mosquitto.sh keeps under the data dir, and says in its
// log that it runs without one when no broker answers.
func TestDevMQTT(t *testing.T) {
	o := proc{config: defaultConfig()}
	pack, err := o.loadPack()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	off := mqttOptions{url: "tcp://" + freeAddr(t), user: "cityops", password: "x", clientID: "dev-test"}
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
	on := mqttOptions{url: m.URL, user: "cityops", clientID: "dev-test"}
	if _, ok := devMQTT(t.Context(), &o, &on, data, pack, prometheus.NewRegistry(), log); !ok {
		t.Errorf("devMQTT with a broker returned no stage:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "MQTT intake on") {
		t.Errorf("the log does not say MQTT is on:\n%s", logs.String())
	}
}
