package open311

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkCreateHTTP measures POST /open311/v2/requests.json over loopback
// HTTP into the embedded broker, each request distinct, with a caller to
// mask and seal.
func BenchmarkCreateHTTP(b *testing.B) {
	env := newTestEnv(b, nil)
	u := env.http.URL + "/open311/v2/requests.json"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var seq atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			form := url.Values{"api_key": {"dev-key"}, "service_code": {"06010"}, "lat": {"30.61"}, "long": {"117.05"},
				"description": {fmt.Sprintf("垃圾堆了三天 #%d", seq.Add(1))}, "phone": {"13912345678"}, "first_name": {"三"}}
			resp, err := client.Post(u, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
			if err != nil {
				b.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Errorf("status %d: %s", resp.StatusCode, body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}
