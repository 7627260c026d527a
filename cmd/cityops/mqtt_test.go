package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/ingest/mqtt/mqtttest"
	paho "github.com/eclipse/paho.mqtt.golang"
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
	admin := roletest.FreeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan int, 1)
	var errs roletest.SyncBuffer
	go func() {
		done <- run(ctx, []string{"mqtt", "--kafka", b.Addr(), "--partitions", "1", "--admin", admin,
			"--mqtt", m.URL, "--mqtt-password", mqtttest.Password, "--mqtt-client-id", "cityops-role-test"}, io.Discard, &errs)
	}()
	roletest.WaitHTTP(t, "http://"+admin+"/healthz")
	roletest.WaitFor(t, 10*time.Second, func() error {
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
	roletest.WaitFor(t, 5*time.Second, func() error {
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
