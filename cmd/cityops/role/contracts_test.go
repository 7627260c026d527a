package role

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/deploy/sim"
	"github.com/cityops/cityops/dispatch"
	"github.com/cityops/cityops/dispatch/feed"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/segmentio/kafka-go"
)

// schemaDir holds the JSON Schemas of the topics' values, TOPIC.schema.json
// (docs/topics.md refers to them).
const schemaDir = "../../../docs/schemas"

// contentHash is the value of an intake.ids record: ingest.ContentHash,
// or the hash of an Open311 form.
var contentHash = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

// topicSchema returns the schema file of topic's values, or "" for a topic
// whose values are not JSON of their own: dead letters carry the original
// bytes, sealed callers are ciphertext, intake's ids a content hash.
func topicSchema(topic string) string {
	switch {
	case topic == bus.TopicDLQ || topic == TopicCallers || topic == bus.TopicIntakeIDs:
		return ""
	case strings.HasPrefix(topic, feed.Topic("")):
		return "tasks.DEPT.schema.json"
	}
	return topic + ".schema.json"
}

// TestTopicContracts runs every role with the demo city and the simulator
// on the embedded broker, with traffic that reaches every topic (merged
// reports, alarms raised and cleared, Open311 callers read by an officer, a
// task's steps, a refused API call, a webhook refused, a malformed record),
// then reads each topic from its start and validates every record against
// its schema in docs/schemas. A record the pipeline writes that its schema
// does not describe fails the test: the schemas are the topics' contract.
func TestTopicContracts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	schemas := compileSchemas(t)

	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_contracts"},
		Intake: IntakeConfig{APIKeys: []string{"test-key"}, Officers: []string{"tok=officer li"}}}, TopicAudit, TopicCallers)
	o, s, pack, log := &e.o, e.s, e.pack, e.log
	tokensPath := filepath.Join(t.TempDir(), "tokens.json")
	o.Tokens = tokensPath
	// The greening department's receiver refuses every delivery: its tasks
	// become webhook dead letters.
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer refuse.Close()
	hooksPath := filepath.Join(t.TempDir(), "webhooks.json")
	if err := os.WriteFile(hooksPath, []byte(`{"lhsr": {"url": "`+refuse.URL+`", "secret": "s"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	reg := newRegistry()
	d, err := newDispatcher(ctx, o, pack, DispatchFiles{Webhooks: hooksPath, Feeds: true}, reg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	tk, err := taskapi.ReadTokens(tokensPath)
	if err != nil {
		t.Fatal(err)
	}
	e.run(ctx, t,
		func(ctx context.Context) error { return runProcessor(ctx, o, pack, log) },
		func(ctx context.Context) error { return sink(ctx, o, s, log) },
		func(ctx context.Context) error { return readingsPath(ctx, o, pack, s, log) },
		d.Run,
		func(ctx context.Context) error { return serveWeb(ctx, o, pack, s, reg, log, d.Routes()) },
	)
	base := "http://" + o.HTTP.Listen
	roletest.WaitHTTP(t, base+"/healthz")
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)

	// The same complaint twice at one place: the second merges into the first.
	p := roletest.PointIn(t, areas, "d3-s2")
	for i, id := range []string{"ct-trash-1", "ct-trash-2"} {
		roletest.Post(t, base+"/api/v1/events", fmt.Sprintf(`{"id":%q,"source":"hotline","type":"complaint","text":"garbage piled up","lat":%v,"lon":%v,"time":%q}`,
			id, p[0], p[1], now.Add(time.Duration(i)*time.Minute).Format(time.RFC3339)), http.StatusAccepted)
	}
	// A sensor's water rising, then gone: alarms raised, updated, cleared,
	// with a complaint about the flooding fused into them. One reading
	// comes straight from a gateway on readings.raw.
	var lines []string
	for i, v := range []float64{0.2, 0.3, 0.4, 0.45, 0.01} {
		lines = append(lines, fmt.Sprintf(`{"device_id":"water-002","value":%v,"time":%q}`, v, now.Add(time.Duration(i)*time.Minute).Format(time.RFC3339)))
	}
	roletest.Post(t, base+"/api/v1/readings", strings.Join(lines[:4], "\n")+"\n", http.StatusOK)
	roletest.Post(t, base+"/api/v1/events", fmt.Sprintf(`{"id":"ct-flood","source":"hotline","type":"complaint","text":"路面积水很深","lat":30.65579,"lon":117.06634,"time":%q}`,
		now.Add(3*time.Minute).Format(time.RFC3339)), http.StatusAccepted)
	gw := bus.NewWriter(o.Brokers(), bus.TopicReadingsRaw)
	defer gw.Close()
	if err := gw.WriteMessages(ctx, kafka.Message{Key: []byte("water-002"), Value: []byte(lines[4])}); err != nil {
		t.Fatal(err)
	}
	// An Open311 request with its caller, whom an officer reads.
	form := url.Values{"api_key": {"test-key"}, "service_code": {"06010"}, "lat": {fmt.Sprint(p[0])}, "long": {fmt.Sprint(p[1])},
		"description": {"垃圾堆了三天"}, "first_name": {"三"}, "last_name": {"张"}, "phone": {"13912345678"}}
	resp, err := http.PostForm(base+"/open311/v2/requests.json", form)
	if err != nil {
		t.Fatal(err)
	}
	var created []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusCreated || len(created) != 1 {
		t.Fatalf("Open311 create: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	call(t, ctx, "GET", base+"/api/v1/callers/"+created[0].ID+"?reason=call+back", "tok", "", http.StatusOK)
	// A record no stage can read: a dead letter.
	raw := bus.NewWriter(o.Brokers(), bus.TopicEventsRaw)
	defer raw.Close()
	if err := raw.WriteMessages(ctx, kafka.Message{Key: []byte("ct-bad"), Value: []byte(`{"id":"ct-bad","source":`)}); err != nil {
		t.Fatal(err)
	}
	// The simulator's city: a few hundred events of every kind.
	sm, err := sim.New(pack, 18)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Run(ctx, sm, sim.Config{Target: base, Key: roletest.IntakeSecret, Rate: 150, Duration: 3 * time.Second, Seed: 18}); err != nil {
		t.Fatal(err)
	}

	// The water authority works the flood's task; another department's
	// look at it is refused and audited.
	water := tk.Departments["water"]
	var flood string
	roletest.WaitFor(t, 30*time.Second, func() error {
		var list struct {
			Tasks []struct {
				ID      string   `json:"id"`
				Signals []string `json:"signals"`
			} `json:"tasks"`
		}
		if err := json.Unmarshal(call(t, ctx, "GET", base+"/api/v1/tasks?limit=500", water, "", http.StatusOK), &list); err != nil {
			return err
		}
		for _, task := range list.Tasks {
			if len(task.Signals) > 0 {
				flood = task.ID
				return nil
			}
		}
		return fmt.Errorf("no task of the water authority has a fused alarm yet (%d tasks)", len(list.Tasks))
	})
	call(t, ctx, "GET", base+"/api/v1/tasks/"+flood, tk.Departments["jj"], "", http.StatusNotFound)
	call(t, ctx, "POST", base+"/api/v1/tasks/"+flood+"/accept", water, "", http.StatusOK)
	call(t, ctx, "POST", base+"/api/v1/tasks/"+flood+"/start", water, "", http.StatusOK)
	call(t, ctx, "POST", base+"/api/v1/tasks/"+flood+"/resolve", water, `{"evidence":["photo://after.jpg"],"note":"pumped out"}`, http.StatusOK)

	// Every stage has handled its input: the consumer groups have no lag.
	for _, g := range []struct{ group, topic string }{
		{bus.GroupReadings, bus.TopicReadingsRaw}, {bus.GroupClassify, bus.TopicEventsRaw},
		{bus.GroupMerge, stateful.TopicSignals}, {groupDispatch, bus.TopicIncidentsFound},
		{groupStore, bus.TopicIncidentChanges}, {groupStoreFound, bus.TopicIncidentsFound}, {groupStoreTransitions, tasks.Topic},
	} {
		roletest.WaitFor(t, 60*time.Second, func() error {
			lags, err := bus.GroupLag(ctx, o.Brokers(), g.group, g.topic)
			if lag := bus.TotalLag(lags); err == nil && lag > 0 {
				err = fmt.Errorf("group %s has a lag of %d on %s", g.group, lag, g.topic)
			}
			return err
		})
	}
	time.Sleep(time.Second) // the feeds' webhooks and the hub's writes after them

	topics := []string{bus.TopicEventsRaw, bus.TopicReadingsRaw, bus.TopicDLQ, stateful.TopicSignals, stateful.TopicSnapshots,
		bus.TopicIncidentChanges, bus.TopicIncidentsFound, tasks.Topic, topicWebhookDLQ, topicAudit, dispatch.MatrixTopic, tasks.OwnersTopic,
		TopicCallers, TopicAudit, bus.TopicIntakeIDs}
	topics = append(topics, feed.Topics(pack.Departments)...)
	kinds := map[string]map[string]int{bus.TopicIncidentChanges: {}, bus.TopicIncidentsFound: {}}
	for _, topic := range topics {
		file := topicSchema(topic)
		n, bad := 0, 0
		readTopic(t, ctx, o.Brokers(), topic, func(m kafka.Message) {
			n++
			if k := kinds[topic]; k != nil {
				var c struct{ Kind string }
				_ = json.Unmarshal(m.Value, &c)
				k[c.Kind]++
			}
			if len(m.Key) == 0 && topic != stateful.TopicSnapshots {
				t.Errorf("%s/%d@%d has no key", topic, m.Partition, m.Offset)
			}
			if topic == bus.TopicIntakeIDs && !contentHash.Match(m.Value) {
				t.Errorf("%s/%d@%d: value %q is not a content hash (hex digits)", topic, m.Partition, m.Offset, m.Value)
			}
			if file == "" || string(m.Key) == "ct-bad" { // the malformed record the test wrote
				return
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(m.Value))
			if err == nil {
				err = schemas[file].Validate(v)
			}
			if err != nil && bad < 3 {
				bad++
				t.Errorf("%s/%d@%d does not follow %s: %v\n%.2000s", topic, m.Partition, m.Offset, file, err, m.Value)
			}
		})
		t.Logf("%s: %d records", topic, n)
		// Every topic has records, but the feeds of departments the
		// simulator's city gave no task to.
		if n == 0 && !strings.HasPrefix(topic, feed.Topic("")) {
			t.Errorf("%s has no records: the test does not reach it", topic)
		}
	}
	t.Logf("records by kind: %v", kinds)
	// Every topic the roles created is one the test read, is in
	// docs/topics.md, and every schema is referred to there.
	doc, err := os.ReadFile("../../../docs/topics.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range brokerTopics(t, ctx, o.Brokers()) {
		if !slices.Contains(topics, topic) {
			t.Errorf("topic %s exists but the test does not read it: add it and its schema", topic)
		}
		want := "`" + topic + "`"
		if strings.HasPrefix(topic, feed.Topic("")) {
			want = "`tasks.DEPT`"
		}
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("docs/topics.md does not document %s", topic)
		}
	}
	for file := range schemas {
		if !bytes.Contains(doc, []byte("schemas/"+file)) {
			t.Errorf("docs/topics.md does not refer to schemas/%s", file)
		}
	}
	// The traffic has merges and clears, and they are on incidents.found.
	if f := kinds[bus.TopicIncidentsFound]; f["merged"] == 0 || f["cleared"] == 0 || f["created"] == 0 {
		t.Errorf("incidents.found has %v, want created, merged and cleared records", f)
	}
}

// brokerTopics lists the topics on the broker, but its own.
func brokerTopics(t *testing.T, ctx context.Context, brokers []string) []string {
	t.Helper()
	conn, err := kafka.DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range parts {
		if !strings.HasPrefix(p.Topic, "__") && !slices.Contains(out, p.Topic) {
			out = append(out, p.Topic)
		}
	}
	slices.Sort(out)
	return out
}

// compileSchemas compiles every schema of schemaDir, asserting formats
// (date-time) as the schemas mean them.
func compileSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(schemaDir, "*.schema.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in %s: %v", schemaDir, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	out := map[string]*jsonschema.Schema{}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		sch, err := c.Compile(abs)
		if err != nil {
			t.Fatalf("compiling %s: %v", f, err)
		}
		out[filepath.Base(f)] = sch
	}
	return out
}

// readTopic hands fn every record of topic there is when it starts.
func readTopic(t *testing.T, ctx context.Context, brokers []string, topic string, fn func(kafka.Message)) {
	t.Helper()
	conn, err := kafka.DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		t.Fatalf("partitions of %s: %v", topic, err)
	}
	slices.SortFunc(parts, func(a, b kafka.Partition) int { return a.ID - b.ID })
	for _, p := range parts {
		lc, err := kafka.DialLeader(ctx, "tcp", brokers[0], topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, end, err := lc.ReadOffsets()
		lc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if end <= first {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p.ID, MaxBytes: 2 * bus.MaxStateBytes, MaxWait: 100 * time.Millisecond})
		if err := r.SetOffset(first); err != nil {
			t.Fatal(err)
		}
		for {
			rctx, rcancel := context.WithTimeout(ctx, 20*time.Second)
			m, err := r.ReadMessage(rctx)
			rcancel()
			if err != nil {
				t.Fatalf("reading %s/%d: %v", topic, p.ID, err)
			}
			fn(m)
			if m.Offset >= end-1 {
				break
			}
		}
		r.Close()
	}
}

// call makes a request with a bearer token and returns the answer's body,
// failing the test unless it has status want.
func call(t *testing.T, ctx context.Context, method, url, token, body string, want int) []byte {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, url, resp.StatusCode, b.Bytes(), want)
	}
	return b.Bytes()
}
