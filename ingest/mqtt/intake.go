package mqtt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/ingest"
	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/segmentio/kafka-go"
)

// Config configures the intake.
type Config struct {
	Broker string // e.g. tcp://127.0.0.1:1883
	// ClientID names the intake's persistent session on the broker. Keep it
	// stable per replica and different between replicas: a replica that
	// comes back under its id gets the messages it had not acknowledged.
	ClientID           string
	Username, Password string

	Validator *ingest.Validator
	Devices   ingest.Registry
	// Publish writes readings to the readings topic and returns once they
	// are durable.
	Publish bus.Publish
	// DeadLetter writes dead letters (bus.DeadLetterRecord) to the
	// dead-letter topic and returns once they are durable.
	DeadLetter bus.Publish

	BatchSize  int           // most messages in one write to Kafka (default 500)
	BatchWait  time.Duration // how long a batch waits to fill (default 5ms)
	RetryWait  time.Duration // wait after a failed write (default 500ms)
	DrainWait  time.Duration // at shutdown, how long the batch at hand may take to be written (default 5s)
	Metrics    *Metrics      // nil counts nothing
	Conn       *Conn         // when set, tells whether the intake is subscribed
	Logger     *slog.Logger
	connectTry time.Duration // ConnectRetryInterval; tests shorten it
}

func (c *Config) defaults() {
	if c.BatchSize <= 0 {
		c.BatchSize = 500
	}
	if c.BatchWait <= 0 {
		c.BatchWait = 5 * time.Millisecond
	}
	if c.RetryWait <= 0 {
		c.RetryWait = 500 * time.Millisecond
	}
	if c.DrainWait <= 0 {
		c.DrainWait = 5 * time.Second
	}
	if c.connectTry <= 0 {
		c.connectTry = 2 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

func (c *Config) clientOptions() *paho.ClientOptions {
	return paho.NewClientOptions().
		AddBroker(c.Broker).
		SetClientID(c.ClientID).
		SetUsername(c.Username).
		SetPassword(c.Password).
		SetCleanSession(false). // keep unacknowledged messages while a replica restarts
		SetAutoAckDisabled(true).
		SetOrderMatters(true). // one device's readings reach Kafka in the order sent
		SetKeepAlive(30 * time.Second).
		SetConnectTimeout(5 * time.Second).
		SetAutoReconnect(true).
		SetMaxReconnectInterval(10 * time.Second).
		SetConnectRetryInterval(c.connectTry)
}

// Conn tells whether an intake is connected to its broker and subscribed:
// a readiness check.
type Conn struct{ up atomic.Bool }

func (c *Conn) set(up bool) {
	if c != nil {
		c.up.Store(up)
	}
}

// Ready returns nil while the intake is subscribed.
func (c *Conn) Ready(context.Context) error {
	if !c.up.Load() {
		return errors.New("mqtt: not connected to the broker")
	}
	return nil
}

// Check connects to the broker once, with c's credentials, and disconnects:
// nil when the broker answers and takes them.
func Check(ctx context.Context, c Config) error {
	c.defaults()
	opts := c.clientOptions().SetCleanSession(true).SetClientID(c.ClientID + "-check")
	cl := paho.NewClient(opts)
	tok := cl.Connect()
	select {
	case <-tok.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := tok.Error(); err != nil {
		return fmt.Errorf("connecting to MQTT broker %s: %w", c.Broker, err)
	}
	cl.Disconnect(100)
	return nil
}

// Run subscribes to the readings of every device and writes them to Kafka
// until ctx is done. It keeps trying to connect while the broker is down.
func Run(ctx context.Context, c Config) error {
	c.defaults()
	if c.ClientID == "" {
		return errors.New("mqtt intake: no client id")
	}
	log := c.Logger
	// The broker sends at most max_inflight_messages unacknowledged
	// messages, so this buffer rarely fills: the handler must not block
	// for long, since with ordered delivery it runs on paho's router.
	in := make(chan paho.Message, 4*c.BatchSize)
	handle := func(_ paho.Client, m paho.Message) {
		select {
		case in <- m:
		case <-ctx.Done():
		}
	}
	opts := c.clientOptions().
		// A resumed session's unacknowledged messages arrive as soon as
		// the broker accepts the connection, before Subscribe below has
		// routed the filter to handle: the default handler takes them, or
		// they would wait for the next reconnect.
		SetDefaultPublishHandler(handle).
		SetConnectRetry(true).
		SetOnConnectHandler(func(cl paho.Client) {
			// Subscribe at every connect: the session keeps the
			// subscription, but a new or expired session does not.
			tok := cl.Subscribe(SharedFilter, QoS, handle)
			if tok.Wait() && tok.Error() != nil {
				log.Error("subscribing to MQTT readings", "filter", SharedFilter, "err", tok.Error())
				return
			}
			c.Conn.set(true)
			log.Info("MQTT intake subscribed", "broker", c.Broker, "filter", SharedFilter, "client_id", c.ClientID)
		}).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			c.Conn.set(false)
			log.Warn("MQTT connection lost, reconnecting", "broker", c.Broker, "err", err)
		})
	cl := paho.NewClient(opts)
	tok := cl.Connect()
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			return fmt.Errorf("connecting to MQTT broker %s: %w", c.Broker, err)
		}
	case <-ctx.Done():
	}
	defer cl.Disconnect(250)
	defer c.Conn.set(false)

	batch := make([]paho.Message, 0, c.BatchSize)
	for {
		batch = batch[:0]
		select {
		case m := <-in:
			batch = append(batch, m)
		case <-ctx.Done():
			return c.drain(ctx, in, batch)
		}
		timer := time.NewTimer(c.BatchWait)
	fill:
		for len(batch) < c.BatchSize {
			select {
			case m := <-in:
				batch = append(batch, m)
			case <-timer.C:
				break fill
			case <-ctx.Done():
				timer.Stop()
				return c.drain(ctx, in, batch)
			}
		}
		timer.Stop()
		if err := c.flush(ctx, batch); err != nil {
			return c.drain(ctx, in, batch)
		}
	}
}

// drain writes and acknowledges the messages at hand within DrainWait once
// ctx is done. What it cannot write stays unacknowledged, and the broker
// sends it again.
func (c *Config) drain(ctx context.Context, in <-chan paho.Message, batch []paho.Message) error {
	for len(batch) < cap(batch) {
		select {
		case m := <-in:
			batch = append(batch, m)
			continue
		default:
		}
		break
	}
	if len(batch) == 0 {
		return nil
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.DrainWait)
	defer cancel()
	if err := c.flush(dctx, batch); err != nil {
		c.Logger.Warn("MQTT readings left unacknowledged at shutdown; the broker will send them again", "n", len(batch), "err", err)
	}
	return nil
}

// flush writes a batch's readings and dead letters to Kafka, retrying until
// both are durable or ctx is done, and then acknowledges every message of
// the batch, in the order received.
func (c *Config) flush(ctx context.Context, batch []paho.Message) error {
	var good, letters []kafka.Message
	var rejected, unknown int
	for _, m := range batch {
		rec, err := c.Convert(m.Topic(), m.Payload())
		if err == nil {
			good = append(good, rec)
			continue
		}
		if errors.Is(err, ErrUnknownDevice) {
			unknown++
		} else {
			rejected++
		}
		key, _ := DeviceOf(m.Topic())
		letters = append(letters, bus.DeadLetterRecord(kafka.Message{
			Key: []byte(key), Value: m.Payload(),
			Headers: []kafka.Header{{Key: HeaderTopic, Value: []byte(m.Topic())}},
		}, fmt.Errorf("validating MQTT reading on %s: %w", m.Topic(), err)))
	}
	for _, w := range []struct {
		what  string
		write bus.Publish
		msgs  []kafka.Message
	}{{"readings", c.Publish, good}, {"dead letters", c.DeadLetter, letters}} {
		if len(w.msgs) == 0 {
			continue
		}
		for {
			err := w.write(ctx, w.msgs...)
			if err == nil {
				break
			}
			c.Metrics.add(ResultRetried, len(batch))
			if ctx.Err() != nil {
				return fmt.Errorf("writing %d MQTT %s: %w", len(w.msgs), w.what, err)
			}
			c.Logger.Warn("writing MQTT readings to Kafka failed; retrying, nothing acknowledged", "what", w.what, "n", len(w.msgs), "err", err)
			select {
			case <-time.After(c.RetryWait):
			case <-ctx.Done():
				return fmt.Errorf("writing %d MQTT %s: %w", len(w.msgs), w.what, ctx.Err())
			}
		}
	}
	for _, m := range batch {
		m.Ack()
	}
	c.Metrics.add(ResultAccepted, len(good))
	c.Metrics.add(ResultRejected, rejected)
	c.Metrics.add(ResultUnknownDevice, unknown)
	return nil
}

// ErrUnknownDevice is in the error of a reading whose device is not
// registered.
var ErrUnknownDevice = errors.New("unknown device")

// unknownDevice is the error of an unregistered device: a field error on
// device_id that errors.Is ErrUnknownDevice.
type unknownDevice struct{ *cityops.FieldError }

func (e unknownDevice) Unwrap() []error { return []error{e.FieldError, ErrUnknownDevice} }

// Convert checks one message and returns its record for the readings
// topic: the payload, with the topic's device id added when the payload
// has none, keyed by device. The error names the field at fault.
func (c *Config) Convert(topic string, payload []byte) (kafka.Message, error) {
	id, err := DeviceOf(topic)
	if err != nil {
		return kafka.Message{}, err
	}
	if _, ok := c.Devices[id]; !ok {
		return kafka.Message{}, unknownDevice{cityops.Invalid("device_id", "device %q of topic %s is not registered", id, topic)}
	}
	var head struct {
		DeviceID *string `json:"device_id"`
	}
	if json.Unmarshal(payload, &head) == nil { // else DecodeReading says what is wrong
		switch {
		case head.DeviceID == nil:
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(payload, &obj); err == nil && obj != nil {
				obj["device_id"], _ = json.Marshal(id)
				if b, err := json.Marshal(obj); err == nil {
					payload = b
				}
			}
		case *head.DeviceID != id:
			return kafka.Message{}, cityops.Invalid("device_id", "%q is not the device of topic %s", *head.DeviceID, topic)
		}
	}
	ev, err := c.Validator.DecodeReading(c.Devices, payload)
	if err != nil {
		return kafka.Message{}, err
	}
	return kafka.Message{Key: []byte(ev.DeviceID), Value: payload}, nil
}
