package ingest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
)

// loopbackClient keeps enough idle connections for parallel benchmarks.
func loopbackClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{}).DialContext,
		MaxIdleConnsPerHost: 64,
	}}
}

// BenchmarkEventsHTTP measures POST /api/v1/events over loopback HTTP into
// the embedded broker, one event a request.
func BenchmarkEventsHTTP(b *testing.B) {
	brokers := startBroker(b, bus.TopicEventsRaw)
	w := bus.NewWriter(brokers, bus.TopicEventsRaw)
	defer w.Close()
	srv := httptest.NewServer(&Handler{Validator: testValidator, Publish: w.WriteMessages})
	defer srv.Close()
	client := loopbackClient()
	var seq atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			body := fmt.Sprintf(`{"id":"bench-%d","source":"hotline","type":"complaint","text":"垃圾堆了三天, 电话13812345678","lat":30.61,"lon":117.05,"time":"2026-07-01T00:30:00Z"}`, n)
			post(b, client, srv.URL, body, http.StatusAccepted)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// BenchmarkReadingsHTTP measures POST /api/v1/readings over loopback HTTP
// into the embedded broker, in batches of 500 readings.
func BenchmarkReadingsHTTP(b *testing.B) {
	const batch = 500
	brokers := startBroker(b, bus.TopicEventsRaw)
	w := bus.NewWriter(brokers, bus.TopicEventsRaw)
	defer w.Close()
	srv := httptest.NewServer(&ReadingsHandler{Validator: testValidator, Devices: testDevices, Publish: w.WriteMessages})
	defer srv.Close()
	client := loopbackClient()
	devs := []string{"water-001", "water-002", "water-003", "water-004", "water-005", "noise-003"}
	var seq atomic.Int64
	base := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var buf bytes.Buffer
		for pb.Next() {
			buf.Reset()
			for i := range batch {
				n := seq.Add(1)
				fmt.Fprintf(&buf, `{"device_id":"%s","value":%d.5,"time":"%s"}`+"\n", devs[i%len(devs)], n%90, base.Add(time.Duration(n)*time.Millisecond).Format(time.RFC3339Nano))
			}
			post(b, client, srv.URL, buf.String(), http.StatusOK)
		}
	})
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "readings/s")
}

func post(b *testing.B, c *http.Client, url, body string, want int) {
	resp, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		b.Error(err)
		return
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Errorf("status %d: %s", resp.StatusCode, got)
	}
}
