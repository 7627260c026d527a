package process_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/open311"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/learn"
	"github.com/cityops/cityops/rules/process"
	"github.com/segmentio/kafka-go"
)

// open311Endpoint is the city's Open311 endpoint over pack's categories,
// with its key "k", that hands what it publishes to create.
type open311Endpoint struct {
	h    http.Handler
	sent []kafka.Message
}

func newOpen311(pack *rules.Pack, bbox [4]float64, now time.Time) *open311Endpoint {
	e := &open311Endpoint{}
	srv := open311.New(open311.Config{
		Categories: pack.Categories,
		APIKeys:    map[string]bool{"k": true},
		Validator:  &ingest.Validator{BBox: bbox, Now: func() time.Time { return now }},
		Publish: func(_ context.Context, msgs ...kafka.Message) error {
			e.sent = append(e.sent, msgs...)
			return nil
		},
		Now: func() time.Time { return now },
	})
	e.h = srv.Handler("/open311/v2")
	return e
}

// create POSTs a request of service code at a point, as a GeoReport v2
// client does, and returns the event the endpoint published.
func (e *open311Endpoint) create(t *testing.T, code string, lat, lon float64, description string) cityops.Event {
	t.Helper()
	form := url.Values{"api_key": {"k"}, "service_code": {code}, "lat": {fmt.Sprint(lat)}, "long": {fmt.Sprint(lon)},
		"description": {description}}
	req := httptest.NewRequest(http.MethodPost, "/open311/v2/requests.json", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	n := len(e.sent)
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated || len(e.sent) != n+1 {
		t.Fatalf("POST requests.json service_code=%s: %d %s", code, rec.Code, rec.Body)
	}
	var ev cityops.Event
	if err := json.Unmarshal(e.sent[n].Value, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// open311Event is what the Open311 endpoint publishes for a request of
// service code at a point: type open311:<code>, the service's name and the
// citizen's words as text.
func open311Event(id, code, text string, lat, lon float64, at time.Time) cityops.Event {
	return cityops.Event{ID: id, Source: cityops.SourceHotline, Type: rules.ServiceTypePrefix + code, Text: text,
		Lat: lat, Lon: lon, Time: at, Received: at}
}

// TestServiceCodesRouteLearnedPack learns a pack from the older four fifths
// of the city's requests, then makes an Open311 request of each held-out
// request: the service code of its type (and descriptor, where the pack
// has a category for it), no text a rule could match, at its place. Each is
// classified to that category, dispatched with a deadline, and routed to
// the agency the city chose as often as the learned matrix routes the
// city's own records.
func TestServiceCodesRouteLearnedPack(t *testing.T) {
	f := realdata.Open(t, "nyc311/nyc311_dev.csv")
	recs, err := learn.ReadCSV(f, learn.NYC311)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(recs, func(a, b learn.Record) int { return a.Created.Compare(b.Created) })
	cut := len(recs) * 4 / 5
	train, held := recs[:cut], recs[cut:]
	l, err := learn.Learn(train, learn.Options{Name: "nyc", TimeZone: "America/New_York",
		Areas: realdata.Read(t, "geo/nyc/community_districts.geojson"), AreaKey: "BoroCD"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := l.Write(dir); err != nil {
		t.Fatal(err)
	}
	pack, err := rules.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	proc, err := process.New(pack)
	if err != nil {
		t.Fatal(err)
	}
	// The service of a request: the category learned for its type and
	// descriptor, else for its type.
	service := map[string]string{}
	hours := map[string]int{}
	for _, c := range pack.Categories {
		hours[c.Code] = c.DeadlineHours
		if c.ServiceCode == "" {
			if c.Code[0] == 'T' {
				t.Errorf("learned category %s (%s) is no Open311 service", c.Code, c.Name)
			}
			continue
		}
		service[c.Name] = c.ServiceCode
	}
	agencies := map[string]bool{} // the services requested
	right := map[string]int{}     // agency -> held-out requests routed to it as the city did
	n, ok := 0, 0
	for i, r := range held {
		code := cmp.Or(service[r.Type+": "+r.Descriptor], service[r.Type])
		if code == "" || !r.HasLoc {
			continue // a type the training years never saw: no service to choose
		}
		ev := open311Event("311-held-"+r.ID, code, "please come", r.Lat, r.Lon, r.Created)
		ch, made, err := proc.Process(&ev)
		if err != nil || !made {
			t.Fatalf("request %d (%s): made=%v err=%v", i, code, made, err)
		}
		inc := ch.Incident
		if inc.Category != code || inc.Status != cityops.StatusDispatched || inc.Deadline.IsZero() != (hours[code] == 0) {
			want, _ := pack.ServiceCategory(code)
			t.Fatalf("Open311 %s (%s): category %q status %s deadline %v, want %q dispatched", code, want.Name, inc.Category, inc.Status, inc.Deadline, code)
		}
		if len(inc.Rules) == 0 || inc.Rules[0] != rules.ServiceRule {
			t.Errorf("Open311 %s: explained by %v, want %s first", code, inc.Rules, rules.ServiceRule)
		}
		n++
		agencies[code] = true
		if inc.DepartmentID == r.Agency {
			ok++
			right[r.Agency]++
		}
	}
	if n < 1000 || len(agencies) < 30 {
		t.Fatalf("%d held-out requests of %d services routed; want over 1000 of over 30", n, len(agencies))
	}
	share := 100 * float64(ok) / float64(n)
	t.Logf("%d held-out Open311 requests of %d services: %.1f%% routed to the city's agency", n, len(agencies), share)
	if share < 95 {
		t.Errorf("%.1f%% of held-out Open311 requests routed to the city's agency, want at least 95%%", share)
	}
	// Through the Open311 endpoint itself, for the first held-out request of
	// each agency: POST requests.json with the service code, then the
	// event it publishes through the processor.
	ep := newOpen311(pack, [4]float64{-74.3, 40.45, -73.65, 40.95}, held[len(held)-1].Created.Add(time.Hour))
	tried := map[string]bool{}
	for _, r := range held {
		code := cmp.Or(service[r.Type+": "+r.Descriptor], service[r.Type])
		if code == "" || !r.HasLoc || tried[r.Agency] {
			continue
		}
		tried[r.Agency] = true
		ev := ep.create(t, code, r.Lat, r.Lon, "please come and look")
		ch, _, err := proc.Process(&ev)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Incident.Category != code || ch.Incident.DepartmentID != r.Agency {
			t.Errorf("Open311 create of %s (%s) at %.5f,%.5f: category %q, routed to %s; the city chose %s",
				code, r.Type, r.Lat, r.Lon, ch.Incident.Category, ch.Incident.DepartmentID, r.Agency)
		}
	}
	if len(tried) < 5 {
		t.Errorf("Open311 creates for %d agencies, want at least 5", len(tried))
	}

	// Services of several agencies, each routed as the city did.
	var several []string
	for a, c := range right {
		if c >= 5 {
			several = append(several, a)
		}
	}
	if len(several) < 5 {
		t.Errorf("Open311 requests routed as the city did to only %d agencies: %v", len(several), right)
	}
}

// TestServiceCodesRouteWrittenPack: in the demo city, whose rules match
// words, an Open311 request routes by its service code (the category's
// declared service_code, or its code) whatever its text says.
func TestServiceCodesRouteWrittenPack(t *testing.T) {
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	proc, err := process.New(pack)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	for _, c := range pack.Categories {
		codes := []string{c.Code}
		if c.ServiceCode != "" {
			codes = append(codes, c.ServiceCode)
		}
		for _, code := range codes {
			ev := open311Event("311-demo-"+code, code, "something is wrong here", 30.6, 117.05, at)
			ch, _, err := proc.Process(&ev)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Incident.Category != c.Code || ch.Incident.Status != cityops.StatusDispatched || ch.Incident.DepartmentID == "" {
				t.Errorf("Open311 %s: category %q status %s department %q, want %s dispatched", code, ch.Incident.Category,
					ch.Incident.Status, ch.Incident.DepartmentID, c.Code)
			}
		}
	}
	// Through the endpoint, by a category's declared service_code: the
	// request is of that category, and routed.
	ep := newOpen311(pack, [4]float64{117.0, 30.57, 117.141, 30.672}, at)
	for _, c := range pack.Categories {
		if c.ServiceCode == "" {
			continue
		}
		ev := ep.create(t, c.ServiceCode, 30.6, 117.05, "something is wrong here")
		ch, _, err := proc.Process(&ev)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Incident.Category != c.Code || ch.Incident.Status != cityops.StatusDispatched {
			t.Errorf("Open311 create of %s: category %q status %s, want %s dispatched", c.ServiceCode, ch.Incident.Category, ch.Incident.Status, c.Code)
		}
	}
	ev := open311Event("311-demo-unknown", "no-such-service", "something", 30.6, 117.05, at)
	if ch, _, _ := proc.Process(&ev); ch.Incident.Category != "" && ch.Incident.Rules[0] == rules.ServiceRule {
		t.Errorf("an unknown service code classified as %s", ch.Incident.Category)
	}
}
