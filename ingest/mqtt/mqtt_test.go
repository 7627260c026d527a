package mqtt

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/mqtt/mqtttest"
	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"
)

// publisher connects as the device-gateway user.
func publisher(t *testing.T, m *mqtttest.Broker) paho.Client {
	t.Helper()
	cl := paho.NewClient(paho.NewClientOptions().AddBroker(m.URL).
		SetClientID("test-gateway-" + t.Name()).SetUsername("device-gateway").SetPassword(mqtttest.GatewayPassword))
	if tok := cl.Connect(); tok.Wait() && tok.Error() != nil {
		t.Fatalf("connecting the publisher: %v", tok.Error())
	}
	t.Cleanup(func() { cl.Disconnect(100) })
	return cl
}

func publish(t *testing.T, cl paho.Client, topic, payload string) {
	t.Helper()
	tok := cl.Publish(topic, QoS, false, payload)
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publishing to %s: %v", topic, tok.Error())
	}
}

// pipe is an intake's Kafka side: the embedded broker and the two topics.
type pipe struct {
	addr, dir string
	b         *broker.Broker
	readings  *kafka.Writer
	dlq       *kafka.Writer
}

func startKafka(t *testing.T) *pipe {
	t.Helper()
	p := &pipe{dir: t.TempDir()}
	b, err := broker.Start("127.0.0.1:0", p.dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	p.b, p.addr = b, b.Addr()
	t.Cleanup(func() { p.b.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := bus.EnsureTopics(ctx, []string{p.addr}, 1, bus.TopicReadingsRaw, bus.TopicDLQ); err != nil {
		t.Fatal(err)
	}
	p.readings = bus.NewWriter([]string{p.addr}, bus.TopicReadingsRaw)
	p.dlq = bus.NewWriter([]string{p.addr}, bus.TopicDLQ)
	p.readings.MaxAttempts, p.dlq.MaxAttempts = 2, 2
	t.Cleanup(func() { p.readings.Close(); p.dlq.Close() })
	return p
}

// read returns the records of topic that arrive within wait, stopping early
// once it has want of them.
func (p *pipe) read(t *testing.T, topic string, want int, wait time.Duration) []kafka.Message {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{p.addr}, Topic: topic, Partition: 0, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var got []kafka.Message
	for len(got) < want {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			break
		}
		got = append(got, m)
	}
	return got
}

var devices = ingest.NewRegistry([]cityops.Device{
	{ID: "wl-1", Type: "water_level", Unit: "m", Lat: 22.3, Lon: 114.17},
	{ID: "noise-7", Type: "noise", Unit: "dB", Lat: 22.31, Lon: 114.18},
})

func config(m *mqtttest.Broker, p *pipe, clientID string, reg prometheus.Registerer) Config {
	metrics, _ := NewMetrics(reg)
	return Config{
		Broker: m.URL, ClientID: clientID, Username: "cityops", Password: mqtttest.Password,
		Validator: &ingest.Validator{}, Devices: devices,
		Publish: p.readings.WriteMessages, DeadLetter: p.dlq.WriteMessages,
		RetryWait: 100 * time.Millisecond, DrainWait: 300 * time.Millisecond, Metrics: metrics,
		connectTry: 200 * time.Millisecond,
	}
}

// run runs the intake until the test ends or stop is called, and waits
// until its subscription is in place.
func run(t *testing.T, c Config) (stop func()) {
	t.Helper()
	if c.Conn == nil {
		c.Conn = &Conn{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, c) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	t.Cleanup(stop)
	// Wait for the subscription: a reading published before it has no
	// session to go to.
	deadline := time.Now().Add(30 * time.Second)
	for c.Conn.Ready(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the intake did not subscribe in 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return stop
}

func reading(device string, value float64) string {
	return fmt.Sprintf(`{"value":%g,"time":%q}`, value, time.Now().UTC().Add(-time.Second).Format(time.RFC3339Nano))
}

func TestReadingsReachKafka(t *testing.T) {
	m, p := mqtttest.Start(t), startKafka(t)
	reg := prometheus.NewRegistry()
	c := config(m, p, "cityops-test-1", reg)
	run(t, c)
	pub := publisher(t, m)
	publish(t, pub, "cityops/readings/wl-1", reading("wl-1", 2.5))
	publish(t, pub, "cityops/readings/noise-7", `{"device_id":"noise-7","value":71,"time":"`+time.Now().UTC().Format(time.RFC3339)+`"}`)

	got := p.read(t, bus.TopicReadingsRaw, 2, 10*time.Second)
	if len(got) != 2 {
		t.Fatalf("got %d records on %s, want 2", len(got), bus.TopicReadingsRaw)
	}
	for i, want := range []string{"wl-1", "noise-7"} {
		if string(got[i].Key) != want {
			t.Errorf("record %d: key %q, want %q", i, got[i].Key, want)
		}
		// The forwarder of the readings topic takes the record as it is.
		ev, err := (&ingest.Validator{}).DecodeReading(devices, got[i].Value)
		if err != nil {
			t.Errorf("record %d (%s) is not a reading: %v", i, got[i].Value, err)
		} else if ev.DeviceID != want {
			t.Errorf("record %d: device %q, want %q", i, ev.DeviceID, want)
		}
	}
	if n := testutil.ToFloat64(c.Metrics.messages.WithLabelValues(ResultAccepted)); n != 2 {
		t.Errorf("cityops_mqtt_messages_total{result=accepted} = %v, want 2", n)
	}
}

func TestMosquittoPub(t *testing.T) {
	if _, err := exec.LookPath("mosquitto_pub"); err != nil {
		t.Skip("mosquitto_pub is not installed: deploy/local/test.sh installs it (apt-get install mosquitto-clients)")
	}
	m, p := mqtttest.Start(t), startKafka(t)
	run(t, config(m, p, "cityops-test-pub", prometheus.NewRegistry()))
	host, port := m.Host, m.Port
	out, err := exec.Command("mosquitto_pub", "-h", host, "-p", port, "-u", "device-gateway", "-P", mqtttest.GatewayPassword,
		"-q", "1", "-t", "cityops/readings/wl-1", "-m", reading("wl-1", 3.75)).CombinedOutput()
	if err != nil {
		t.Fatalf("mosquitto_pub: %v\n%s", err, out)
	}
	got := p.read(t, bus.TopicReadingsRaw, 1, 10*time.Second)
	if len(got) != 1 || !strings.Contains(string(got[0].Value), `"wl-1"`) || !strings.Contains(string(got[0].Value), "3.75") {
		t.Fatalf("got %d records on %s (%s), want the reading of wl-1", len(got), bus.TopicReadingsRaw, values(got))
	}
	// Anonymous clients are refused.
	if out, err := exec.Command("mosquitto_pub", "-h", host, "-p", port, "-q", "1",
		"-t", "cityops/readings/wl-1", "-m", reading("wl-1", 1)).CombinedOutput(); err == nil {
		t.Errorf("an anonymous mosquitto_pub succeeded:\n%s", out)
	}
}

func TestDeadLetters(t *testing.T) {
	m, p := mqtttest.Start(t), startKafka(t)
	c := config(m, p, "cityops-test-dlq", prometheus.NewRegistry())
	run(t, c)
	pub := publisher(t, m)
	now := time.Now().UTC().Format(time.RFC3339)
	cases := []struct{ topic, payload, field string }{
		{"cityops/readings/wl-1", `{"value":"high","time":"` + now + `"}`, "value"},
		{"cityops/readings/wl-1", `{"value":1.5}`, "time"},
		{"cityops/readings/wl-1", `{"device_id":"noise-7","value":1.5,"time":"` + now + `"}`, "device_id"},
		{"cityops/readings/ghost-9", `{"value":1.5,"time":"` + now + `","lat":22.3,"lon":114.1}`, "device_id"},
		{"cityops/readings/wl-1", `not json`, "body"},
	}
	for _, tc := range cases {
		publish(t, pub, tc.topic, tc.payload)
	}
	publish(t, pub, "cityops/readings/wl-1", reading("wl-1", 1)) // a good one after them
	letters := p.read(t, bus.TopicDLQ, len(cases), 10*time.Second)
	if len(letters) != len(cases) {
		t.Fatalf("got %d dead letters, want %d", len(letters), len(cases))
	}
	for i, tc := range cases {
		l := letters[i]
		h := map[string]string{}
		for _, kv := range l.Headers {
			h[kv.Key] = string(kv.Value)
		}
		if string(l.Value) != tc.payload {
			t.Errorf("letter %d: value %q, want the original %q", i, l.Value, tc.payload)
		}
		if h[HeaderTopic] != tc.topic {
			t.Errorf("letter %d: %s %q, want %q", i, HeaderTopic, h[HeaderTopic], tc.topic)
		}
		if reason := h[bus.HeaderReason]; !strings.Contains(reason, tc.field+":") {
			t.Errorf("letter %d (%s): reason %q does not name the field %s", i, tc.payload, reason, tc.field)
		}
	}
	got := p.read(t, bus.TopicReadingsRaw, 2, 2*time.Second)
	if len(got) != 1 {
		t.Fatalf("got %d records on %s, want only the good reading: %s", len(got), bus.TopicReadingsRaw, values(got))
	}
	if n := testutil.ToFloat64(c.Metrics.messages.WithLabelValues(ResultUnknownDevice)); n != 1 {
		t.Errorf("unknown_device = %v, want 1", n)
	}
	if n := testutil.ToFloat64(c.Metrics.messages.WithLabelValues(ResultRejected)); n != 4 {
		t.Errorf("rejected = %v, want 4", n)
	}
}

// TestKafkaDown: a reading taken while Kafka is down is not acknowledged.
// The replica that took it stops; once Kafka is back, the broker sends it
// again to the replica's session, and it lands on the readings topic.
func TestKafkaDown(t *testing.T) {
	m, p := mqtttest.Start(t), startKafka(t)
	stop := run(t, config(m, p, "cityops-test-down", prometheus.NewRegistry()))
	p.b.Close()
	publish(t, publisher(t, m), "cityops/readings/wl-1", reading("wl-1", 9.5))
	time.Sleep(time.Second) // retried against the dead broker, unacknowledged
	stop()

	b, err := broker.Start(p.addr, p.dir, 1)
	if err != nil {
		t.Fatalf("restarting the broker: %v", err)
	}
	p.b = b
	c := config(m, p, "cityops-test-down", prometheus.NewRegistry())
	run(t, c)
	got := p.read(t, bus.TopicReadingsRaw, 1, 15*time.Second)
	if len(got) != 1 {
		t.Fatalf("got %d records on %s after Kafka came back, want the unacknowledged reading", len(got), bus.TopicReadingsRaw)
	}
	var r map[string]any
	if err := json.Unmarshal(got[0].Value, &r); err != nil || r["value"] != 9.5 {
		t.Errorf("got %s, want the reading of 9.5", got[0].Value)
	}
}

func TestConvert(t *testing.T) {
	c := Config{Validator: &ingest.Validator{}, Devices: devices}
	now := time.Now().UTC().Format(time.RFC3339)
	for _, tc := range []struct {
		topic, payload, field string
	}{
		{"cityops/readings/wl-1", `{"value":1,"time":"` + now + `"}`, ""},
		{"cityops/readings/wl-1", `{"device_id":"wl-1","value":1,"time":"` + now + `"}`, ""},
		{"cityops/readings/", `{"value":1,"time":"` + now + `"}`, "topic"},
		{"cityops/other/wl-1", `{"value":1,"time":"` + now + `"}`, "topic"},
		{"cityops/readings/wl-1/x", `{"value":1,"time":"` + now + `"}`, "topic"},
		{"cityops/readings/nope", `{"value":1,"time":"` + now + `"}`, "device_id"},
		{"cityops/readings/wl-1", `{"device_id":"noise-7","value":1,"time":"` + now + `"}`, "device_id"},
		{"cityops/readings/wl-1", `{"value":1,"time":"` + now + `","colour":"red"}`, "colour"},
		{"cityops/readings/wl-1", `{"type":"noise","value":1,"time":"` + now + `"}`, "type"},
	} {
		_, err := c.Convert(tc.topic, []byte(tc.payload))
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("Convert(%s, %s): %v", tc.topic, tc.payload, err)
		case tc.field != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.field+":")):
			t.Errorf("Convert(%s, %s) = %v, want an error on %s", tc.topic, tc.payload, err, tc.field)
		}
	}
}

func values(ms []kafka.Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s; ", m.Value)
	}
	return b.String()
}

// TestKafkaBack: while Kafka is down the running intake retries the batch
// and acknowledges nothing; once Kafka is back the reading lands, and the
// metrics count the retries.
func TestKafkaBack(t *testing.T) {
	m, p := mqtttest.Start(t), startKafka(t)
	c := config(m, p, "cityops-test-back", prometheus.NewRegistry())
	run(t, c)
	p.b.Close()
	publish(t, publisher(t, m), "cityops/readings/noise-7", reading("noise-7", 88))
	time.Sleep(time.Second)
	b, err := broker.Start(p.addr, p.dir, 1)
	if err != nil {
		t.Fatalf("restarting the broker: %v", err)
	}
	p.b = b
	got := p.read(t, bus.TopicReadingsRaw, 1, 15*time.Second)
	if len(got) != 1 || string(got[0].Key) != "noise-7" {
		t.Fatalf("got %d records on %s after Kafka came back (%s), want the reading of noise-7", len(got), bus.TopicReadingsRaw, values(got))
	}
	if n := testutil.ToFloat64(c.Metrics.messages.WithLabelValues(ResultRetried)); n == 0 {
		t.Error("kafka_retry = 0 after writes to a stopped broker")
	}
}
