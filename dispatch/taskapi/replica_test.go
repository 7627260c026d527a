package taskapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/sla"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// cluster is an embedded broker with the topics of the tasks API, split in
// two partitions, the demo city and its tokens.
type cluster struct {
	ctx     context.Context
	brokers []string
	pack    *rules.Pack
	policy  *sla.Policy
	tk      taskapi.Tokens
	secret  []byte
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	c := &cluster{ctx: ctx, brokers: []string{b.Addr()}}
	if err := bus.EnsureTopics(ctx, c.brokers, 2, tasks.Topic, bus.TopicIncidentChanges); err != nil {
		t.Fatal(err)
	}
	if err := bus.EnsureTopics(ctx, c.brokers, 1, tasks.OwnersTopic); err != nil {
		t.Fatal(err)
	}
	if c.pack, err = rules.Load(demo.City()); err != nil {
		t.Fatal(err)
	}
	if c.policy, err = sla.Load(demo.City(), c.pack.Location, c.pack.Categories); err != nil {
		t.Fatal(err)
	}
	c.tk = taskapi.NewTokens(c.pack.Departments)
	if c.secret, err = taskapi.ParseSecret(taskapi.NewSecret()); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *cluster) writer(t *testing.T, topic string) *kafka.Writer {
	w := bus.NewWriter(c.brokers, topic)
	t.Cleanup(func() { w.Close() })
	return w
}

// replica is one dispatcher's tasks service and API behind an HTTP server
// that records the headers of every request it receives.
type replica struct {
	svc    *tasks.Service
	owners *tasks.Owners
	srv    *httptest.Server
	url    string
	mu     sync.Mutex
	seen   []http.Header
}

// replica starts a replica that holds the partitions held; with none, it
// holds every incident and takes no part in a split.
func (c *cluster) replica(t *testing.T, held ...int) *replica {
	t.Helper()
	parts := 0
	if len(held) > 0 {
		parts = 2
	}
	r := &replica{}
	mux := http.NewServeMux()
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.seen = append(r.seen, req.Header.Clone())
		r.mu.Unlock()
		mux.ServeHTTP(w, req)
	}))
	r.url = "http://" + r.srv.Listener.Addr().String()
	r.svc = tasks.New(tasks.Config{Machine: &lifecycle.Machine{MaxReturns: 2}, Policy: c.policy, Center: "center",
		Transitions: c.writer(t, tasks.Topic).WriteMessages, Changes: c.writer(t, bus.TopicIncidentChanges).WriteMessages,
		Partitions: parts})
	cfg := taskapi.Config{Service: r.svc, Tokens: c.tk}
	if parts > 0 {
		r.owners = tasks.NewOwners(r.url, c.secret, c.writer(t, tasks.OwnersTopic).WriteMessages)
		cfg.Owners, cfg.ClusterSecret = r.owners, c.secret
		ctx, stop := context.WithCancel(c.ctx)
		done := make(chan error, 1)
		go func() { done <- r.owners.Follow(ctx, c.brokers, tasks.OwnersTopic) }()
		t.Cleanup(func() {
			stop()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
		for _, p := range held {
			if _, err := r.svc.OpenPartition(c.ctx, c.brokers, tasks.Topic, p); err != nil {
				t.Fatal(err)
			}
			if err := r.owners.Announce(c.ctx, p, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	r.svc.SetReady()
	api, err := taskapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for p, h := range api.Routes() {
		mux.Handle(p, h)
	}
	r.srv.Start()
	t.Cleanup(r.srv.Close)
	return r
}

// adopt gives the replica a dispatched task of dept with id.
func (r *replica) adopt(t *testing.T, ctx context.Context, id, dept string) {
	t.Helper()
	now := time.Now()
	inc := cityops.Incident{ID: id, Status: cityops.StatusDispatched, Category: "0111", DepartmentID: dept,
		AreaID: "d1-s2", DistrictID: "d1", Reported: now, Updated: now, Version: 1}
	if err := r.svc.Adopt(ctx, inc); err != nil {
		t.Fatal(err)
	}
}

// headers returns the headers of the requests the replica received.
func (r *replica) headers() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.seen...)
}

// answer is a response, read.
type answer struct {
	code   int
	header http.Header
	body   string
	json   map[string]any
}

// call sends a request with the bearer token (none when empty) and extra
// headers, and reads the answer.
func call(t *testing.T, ctx context.Context, method, url, token, body string, extra http.Header) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range extra {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{code: resp.StatusCode, header: resp.Header, body: string(b)}
	_ = json.Unmarshal(b, &a.json)
	return a
}
