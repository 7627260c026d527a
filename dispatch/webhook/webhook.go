package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
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

// Config configures a Deliverer.
type Config struct {
	Endpoints   map[string]Endpoint // department id -> endpoint
	Client      *http.Client
	DeadLetter  DeadLetter
	MaxElapsed  time.Duration // give up after this long (default 10 min)
	Initial     time.Duration // first retry interval (default 500 ms)
	QueueLength int           // deliveries waiting per department before new ones go to the dead letter (default 10000)
	Logger      *slog.Logger
}

// Deliverer posts transitions to departments' endpoints, one queue and one
// worker per department so that a slow receiver holds up only itself, and
// deliveries of a department arrive in order.
type Deliverer struct {
	cfg    Config
	queues map[string]chan Delivery
	wg     sync.WaitGroup
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

// New returns a Deliverer; Run starts its workers.
func New(cfg Config) *Deliverer {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.MaxElapsed <= 0 {
		cfg.MaxElapsed = 10 * time.Minute
	}
	if cfg.Initial <= 0 {
		cfg.Initial = 500 * time.Millisecond
	}
	if cfg.QueueLength <= 0 {
		cfg.QueueLength = 10000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Deliverer{cfg: cfg, queues: map[string]chan Delivery{}}
	for dept := range cfg.Endpoints {
		d.queues[dept] = make(chan Delivery, cfg.QueueLength)
	}
	return d
}

// Notify queues a transition for the department that owns the task after
// it. It never blocks: when the department's queue is full the delivery
// goes to the dead letter. It fits tasks.Config.Notify.
func (d *Deliverer) Notify(t *lifecycle.Task, tr cityops.Transition) {
	d.enqueue(t.DepartmentID, Delivery{Transition: tr, Task: *t})
}

func (d *Deliverer) enqueue(dept string, del Delivery) {
	q, ok := d.queues[dept]
	if !ok {
		return
	}
	select {
	case q <- del:
	default:
		body, _ := json.Marshal(del)
		d.deadLetter(context.Background(), dept, body, errors.New("delivery queue full"))
	}
}

// Run delivers until ctx is done.
func (d *Deliverer) Run(ctx context.Context) error {
	for dept, q := range d.queues {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case del := <-q:
					d.deliver(ctx, dept, del)
				}
			}
		}()
	}
	d.wg.Wait()
	return nil
}

func (d *Deliverer) deliver(ctx context.Context, dept string, del Delivery) {
	ep := d.cfg.Endpoints[dept]
	body, err := json.Marshal(del)
	if err != nil {
		d.deadLetter(ctx, dept, nil, fmt.Errorf("encoding delivery: %w", err))
		return
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxElapsedTime = d.cfg.Initial, d.cfg.MaxElapsed
	key := del.Transition.IncidentID + "/" + strconv.FormatUint(del.Transition.Version, 10)
	err = backoff.RetryNotify(func() error { return d.post(ctx, ep, key, body) }, backoff.WithContext(b, ctx),
		func(err error, wait time.Duration) {
			d.cfg.Logger.Warn("webhook failed, retrying", "department", dept, "delivery", key, "wait", wait, "err", err)
		})
	if err != nil && ctx.Err() == nil {
		d.deadLetter(ctx, dept, body, err)
	}
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

func (d *Deliverer) deadLetter(ctx context.Context, dept string, body []byte, reason error) {
	d.cfg.Logger.Error("webhook delivery failed for good", "department", dept, "err", reason)
	if d.cfg.DeadLetter == nil {
		return
	}
	if err := d.cfg.DeadLetter(context.WithoutCancel(ctx), dept, body, reason); err != nil {
		d.cfg.Logger.Error("filing a webhook dead letter", "department", dept, "err", err)
	}
}
