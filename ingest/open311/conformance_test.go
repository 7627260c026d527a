package open311

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestConformance runs the cases of testdata/conformance.txt, written from
// the GeoReport v2 specification's summary, against the endpoint.
func TestConformance(t *testing.T) {
	env := newTestEnv(t, nil)
	f, err := os.Open("testdata/conformance.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		parts := strings.Split(text, " | ")
		if len(parts) != 5 {
			t.Fatalf("conformance.txt:%d: want 5 parts, got %d", line, len(parts))
		}
		n++
		t.Run(strconv.Itoa(line), func(t *testing.T) {
			method, path, _ := strings.Cut(parts[0], " ")
			var body io.Reader
			if parts[1] != "-" {
				body = strings.NewReader(parts[1])
			}
			req, err := http.NewRequest(method, env.http.URL+path, body)
			if err != nil {
				t.Fatal(err)
			}
			if body != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
				if strings.HasPrefix(parts[1], "{") { // a JSON body, sent as JSON
					req.Header.Set("Content-Type", "application/json")
				}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if want, _ := strconv.Atoi(parts[2]); resp.StatusCode != want {
				t.Errorf("%s: status %d, want %d (%s)", parts[0], resp.StatusCode, want, got)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, parts[3]) || !strings.Contains(ct, "charset=utf-8") {
				t.Errorf("%s: Content-Type %q, want %s; charset=utf-8", parts[0], ct, parts[3])
			}
			if !strings.Contains(string(got), parts[4]) {
				t.Errorf("%s: body\n%s\ndoes not hold\n%s", parts[0], got, parts[4])
			}
		})
	}
	if n < 40 {
		t.Errorf("only %d cases", n)
	}
}
