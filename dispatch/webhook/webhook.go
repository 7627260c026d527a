package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/feed"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"
)

// The headers of a delivery.
const (
	HeaderSignature = "X-Cityops-Signature" // "sha256=" + hex HMAC-SHA256 of the body
	HeaderDelivery  = "X-Cityops-Delivery"  // incident id and version: the receiver's idempotency key
)

// Endpoint is where a department takes its deliveries.
type Endpoint struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// Delivery is the JSON body of a webhook.
type Delivery struct {
	Transition cityops.Transition `json:"transition"`
	Task       lifecycle.Task     `json:"task"`
}

// DeadLetter files a delivery that failed for good.
type DeadLetter func(ctx context.Context, department string, body []byte, reason error) error

// Group is the deliverer's consumer group: its committed offsets say which
// records of the department topics have been delivered or dead-lettered.
const Group = bus.GroupWebhooks

// Config configures a Deliverer.
type Config struct {
	Endpoints  map[string]Endpoint // department id -> endpoint
	Brokers    []string            // where the department topics are
	Group      string              // consumer group (default Group)
	Client     *http.Client
	DeadLetter DeadLetter
	MaxElapsed time.Duration // give up on a delivery after this long (default 10 min)
	Initial    time.Duration // first retry interval (default 500 ms)
	Logger     *slog.Logger
}

// Deliverer posts the records of departments' topics (feed.Topic) to their
// endpoints. Each department is a consumer of its own topic, so a slow
// receiver holds up only itself and its deliveries arrive in order. A
// record's offset is committed only after it was delivered or filed as a
// dead letter: a deliverer stopped mid-way, even while the receiver is down,
// delivers the rest when it starts again. Delivery is at least once; the
// X-Cityops-Delivery header (incident id/version) lets the receiver drop
// repeats.
type Deliverer struct {
	cfg Config
}

// ReadEndpoints reads a JSON file of {"department": {"url": ..., "secret": ...}}.
func ReadEndpoints(path string) (map[string]Endpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading webhooks: %w", err)
	}
	var eps map[string]Endpoint
	if err := json.Unmarshal(b, &eps); err != nil {
		return nil, fmt.Errorf("decoding webhooks %s: %w", path, err)
	}
	for d, ep := range eps {
		if ep.URL == "" || ep.Secret == "" {
			return nil, fmt.Errorf("webhook of %s: %w", d, cityops.Invalid("url, secret", "both are required"))
		}
	}
	return eps, nil
}

// New returns a Deliverer; Run starts it.
func New(cfg Config) *Deliverer {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Group == "" {
		cfg.Group = Group
	}
	if cfg.MaxElapsed <= 0 {
		cfg.MaxElapsed = 10 * time.Minute
	}
	if cfg.Initial <= 0 {
		cfg.Initial = 500 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{cfg: cfg}
}

// Topics are the department topics the deliverer reads, to create at start.
func (d *Deliverer) Topics() []string {
	out := make([]string, 0, len(d.cfg.Endpoints))
	for dept := range d.cfg.Endpoints {
		out = append(out, feed.Topic(dept))
	}
	return out
}

// Run delivers until ctx is done.
func (d *Deliverer) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for dept := range d.cfg.Endpoints {
		g.Go(func() error {
			return bus.Consume(ctx, bus.ConsumerConfig{Brokers: d.cfg.Brokers, Topic: feed.Topic(dept), Group: d.cfg.Group,
				BatchSize: 100, BatchWait: 5 * time.Millisecond, Logger: d.cfg.Logger}, d.Handler(dept))
		})
	}
	return g.Wait()
}

// Handler delivers a batch of dept's topic in order. It returns nil once
// every record was delivered or dead-lettered, and an error (so nothing is
// committed) when ctx ends first or a dead letter cannot be filed.
func (d *Deliverer) Handler(dept string) bus.Handler {
	ep := d.cfg.Endpoints[dept]
	return func(ctx context.Context, batch []kafka.Message) error {
		for _, m := range batch {
			var del Delivery
			if err := json.Unmarshal(m.Value, &del); err != nil {
				if err := d.deadLetter(ctx, dept, m.Value, fmt.Errorf("decoding record %d: %w", m.Offset, err)); err != nil {
					return err
				}
				continue
			}
			if err := d.deliver(ctx, dept, ep, del.Transition, m.Value); err != nil {
				return err
			}
		}
		return nil
	}
}

// deliver posts body until it is taken, then returns nil; when it keeps
// failing it files a dead letter. It returns an error only when ctx ends or
// the dead letter cannot be filed.
func (d *Deliverer) deliver(ctx context.Context, dept string, ep Endpoint, tr cityops.Transition, body []byte) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxElapsedTime = d.cfg.Initial, d.cfg.MaxElapsed
	key := tr.IncidentID + "/" + strconv.FormatUint(tr.Version, 10)
	err := backoff.RetryNotify(func() error { return d.post(ctx, ep, key, body) }, backoff.WithContext(b, ctx),
		func(err error, wait time.Duration) {
			d.cfg.Logger.Warn("webhook failed, retrying", "department", dept, "delivery", key, "wait", wait, "err", err)
		})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("delivering %s to %s: %w", key, dept, ctx.Err())
	}
	return d.deadLetter(ctx, dept, body, err)
}

// Sign returns the signature header value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (d *Deliverer) post(ctx context.Context, ep Endpoint, key string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return backoff.Permanent(fmt.Errorf("building request: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderSignature, Sign(ep.Secret, body))
	req.Header.Set(HeaderDelivery, key)
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("posting to %s: %w", ep.URL, err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout:
		return backoff.Permanent(fmt.Errorf("posting to %s: %s", ep.URL, resp.Status))
	default:
		return fmt.Errorf("posting to %s: %s", ep.URL, resp.Status)
	}
}

func (d *Deliverer) deadLetter(ctx context.Context, dept string, body []byte, reason error) error {
	d.cfg.Logger.Error("webhook delivery failed for good", "department", dept, "err", reason)
	if d.cfg.DeadLetter == nil {
		return nil
	}
	if err := d.cfg.DeadLetter(ctx, dept, body, reason); err != nil {
		return fmt.Errorf("filing a webhook dead letter of %s: %w", dept, err)
	}
	return nil
}
