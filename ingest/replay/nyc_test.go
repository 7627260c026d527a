package replay

import (
	"context"
	"encoding/csv"
	"os"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/ingest"
	"github.com/segmentio/kafka-go"
)

const (
	nycCSV    = "nyc311/nyc311_dev.csv"
	nycExtent = "geo/nyc/boroughs.geojson"
)

// nycValidator checks rows against NYC's boroughs instead of the demo city,
// and accepts history of any age.
func nycValidator(t testing.TB) *ingest.Validator {
	t.Helper()
	b := realdata.Read(t, nycExtent)
	ix, err := geo.NewIndex(b, geo.Options{IDProp: "BoroCode", NameProp: "BoroName", Level: cityops.LevelDistrict})
	if err != nil {
		t.Fatal(err)
	}
	return &ingest.Validator{
		BBox:     ix.BBox(),
		Contains: func(lat, lon float64) bool { _, ok := ix.Locate(lat, lon); return ok },
		MaxAge:   50 * 365 * 24 * time.Hour,
	}
}

// TestReplayNYC311 replays the real NYC 311 sample onto a real broker: every
// row ends accepted or rejected with the column at fault, and the topic holds
// each accepted row once. The rows closed before they were created are kept,
// each with a warning on closed_date.
func TestReplayNYC311(t *testing.T) {
	f := realdata.Open(t, nycCSV)
	b, err := broker.Start("127.0.0.1:0", "", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	brokers := []string{b.Addr()}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := bus.EnsureTopics(ctx, brokers, 1, bus.TopicEventsRaw); err != nil {
		t.Fatal(err)
	}
	w := bus.NewWriter(brokers, bus.TopicEventsRaw)
	defer w.Close()

	progress := 0
	sum, err := Run(ctx, f, Config{Mapping: NYC311, Validator: nycValidator(t), Publish: w.WriteMessages, Progress: func(int) { progress++ }})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rows %d, sent %d, accepted %d, rejected %d", sum.Rows, sum.Sent, sum.Accepted, sum.Rejected)
	for _, fc := range sum.ByField() {
		t.Logf("  %5d %s (e.g. %s)", fc.Count, fc.Field, fc.Example)
	}
	if sum.Rows != 6978 || sum.Accepted+sum.Rejected != sum.Rows || sum.Sent != sum.Accepted || progress == 0 {
		t.Fatalf("summary %+v does not add up", sum)
	}
	header := map[string]bool{"row": true, "latitude/longitude": true}
	hf, err := os.Open(realdata.Path(t, nycCSV))
	if err != nil {
		t.Fatal(err)
	}
	all, err := csv.NewReader(hf).ReadAll()
	hf.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all[0] {
		header[c] = true
	}
	closedBefore := 0 // counted independently: closed_date sorts before created_date
	for _, row := range all[1:] {
		if row[2] != "" && row[2] < row[1] {
			closedBefore++
		}
	}
	for _, r := range sum.Rejections {
		if !header[r.Field] {
			t.Errorf("line %d: rejected on %q, which is not a column: %s", r.Line, r.Field, r.Reason)
		}
		if r.Field == "closed_date" {
			t.Errorf("line %d: rejected on closed_date: %s", r.Line, r.Reason)
		}
	}
	closed := 0
	for _, w := range sum.Warnings {
		if w.Field == "closed_date" {
			closed++
		}
	}
	if closed != closedBefore || closed != 9 || len(sum.Warnings) != closed {
		t.Errorf("%d rows warned on closed_date (%d warnings), want %d, as the data's README counts 9", closed, len(sum.Warnings), closedBefore)
	}
	ids := map[string]bool{}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: bus.TopicEventsRaw, Partition: 0, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	for len(ids) < sum.Accepted {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read %d of %d: %v", len(ids), sum.Accepted, err)
		}
		ids[string(m.Key)] = true
	}
}
