package role

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTasksProxy(t *testing.T) {
	var got *http.Request
	var body string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.WriteHeader(http.StatusTeapot)
	}))
	defer backend.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close() // a dispatcher that is gone: every request must still reach the live one
	routes, err := tasksProxy(down.URL+","+backend.URL, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range routes {
		mux.Handle(p, h)
	}
	front := httptest.NewServer(mux)
	defer front.Close()

	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/api/v1/tasks?status=open", ""},
		{"GET", "/api/v1/tasks/INC-7", ""},
		{"POST", "/api/v1/tasks/INC-7/accept", `{"note":"on my way"}`},
		{"GET", "/api/v1/matrix/changes", ""},
	} {
		req, _ := http.NewRequest(tc.method, front.URL+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer dept-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTeapot {
			t.Fatalf("%s %s: %d, want the dispatcher's answer", tc.method, tc.path, resp.StatusCode)
		}
		if got.Method != tc.method || got.URL.RequestURI() != tc.path || body != tc.body {
			t.Errorf("%s %s reached the dispatcher as %s %s %q", tc.method, tc.path, got.Method, got.URL.RequestURI(), body)
		}
		if got.Header.Get("Authorization") != "Bearer dept-token" || got.Header.Get("X-Forwarded-For") == "" {
			t.Errorf("%s %s: headers at the dispatcher %v", tc.method, tc.path, got.Header)
		}
	}

	resp, err := http.Post(front.URL+"/api/v1/tasks/INC-7/resolve", "application/json", strings.NewReader(strings.Repeat("x", 2<<20)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d, want 413", resp.StatusCode)
	}

	backend.Close()
	resp, err = http.Get(front.URL + "/api/v1/tasks")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("dispatchers down: %d %s, want 502 in JSON", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestTasksProxyURL(t *testing.T) {
	for _, bad := range []string{"dispatch:8080", "ftp://dispatch", "http://", "http://dispatch:8080/api", "http://a:1,b:2"} {
		if _, err := tasksProxy(bad, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "--tasks") {
			t.Errorf("tasksProxy(%q) = %v, want an error naming --tasks", bad, err)
		}
	}
	if r, err := tasksProxy("", nil); err != nil || r != nil {
		t.Errorf("no URL: %v %v, want no routes", r, err)
	}
}
