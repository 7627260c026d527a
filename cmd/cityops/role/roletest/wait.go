package roletest

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops/geo"
)

// FreeAddr returns a local address no one listens on.
func FreeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// WaitHTTP waits up to 10 s for url to answer.
func WaitHTTP(t *testing.T, url string) {
	t.Helper()
	WaitFor(t, 10*time.Second, func() error {
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	})
}

// WaitFor calls f until it returns nil, and fails the test with its last
// error after d.
func WaitFor(t *testing.T, d time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v: %v", d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// SyncBuffer is a bytes.Buffer that a command may log into while the test
// reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Post sends body to intake at url with IntakeSecret and wants the status
// want; a 400 must name a field.
func Post(t *testing.T, url, body string, want int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+IntakeSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: %d %s, want %d", body, resp.StatusCode, msg, want)
	}
	if want == http.StatusBadRequest {
		var e struct{ Field string }
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Field == "" {
			t.Errorf("400 without a field: %v %+v", err, e)
		}
	}
}

// PointIn returns a point that the index places in area.
func PointIn(t *testing.T, areas *geo.Index, area string) [2]float64 {
	t.Helper()
	b := areas.BBox()
	for i := 0; i < 200; i++ {
		for j := 0; j < 200; j++ {
			lat := b[1] + (b[3]-b[1])*(float64(i)+0.5)/200
			lon := b[0] + (b[2]-b[0])*(float64(j)+0.5)/200
			if a, ok := areas.Locate(lat, lon); ok && a == area {
				return [2]float64{lat, lon}
			}
		}
	}
	t.Fatalf("no point found in area %s", area)
	return [2]float64{}
}
