package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cityops/cityops/cmd/cityops/role/roletest"
)

// TestClusterScript runs deploy/local/cluster.sh, every role its own
// process, and walks the path a city's IT team deploys: a report posted to
// the intake becomes a task that its department lists and accepts through
// the web server's origin, whichever dispatcher holds it; after the
// dispatcher that holds it is killed, the other one serves it.
func TestClusterScript(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	base := freeBlock(t, 13)
	env := append(os.Environ(),
		"CITYOPS_CLUSTER_PORT="+strconv.Itoa(base),
		"CITYOPS_CLUSTER_KAFKA_PORT="+strconv.Itoa(freePort(t)),
		"CITYOPS_CH_PORT="+strconv.Itoa(freePort(t)),
		"CITYOPS_CH_HTTP_PORT="+strconv.Itoa(freePort(t)),
	)
	script := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "../../deploy/local/cluster.sh", append(args, "--dir", dir)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("cluster.sh %s: %v\n%s", args[0], err, out)
		}
		return string(out)
	}
	t.Cleanup(func() {
		cmd := exec.Command("../../deploy/local/cluster.sh", "stop", "--dir", dir)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("cluster.sh stop: %v\n%s", err, out)
		}
	})
	out := script("start")
	web := fmt.Sprintf("http://127.0.0.1:%d", base)
	if !strings.Contains(out, web) {
		t.Fatalf("start does not say where the pages are:\n%s", out)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	var tokens struct {
		Center      string            `json:"center"`
		Departments map[string]string `json:"departments"`
	}
	if err := json.Unmarshal([]byte(read("tokens.json")), &tokens); err != nil {
		t.Fatal(err)
	}
	water := tokens.Departments["water"]
	call := func(method, url, token, body string) (int, map[string]any) {
		req, _ := http.NewRequestWithContext(ctx, method, url, bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, map[string]any{"error": err.Error()}
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return resp.StatusCode, m
	}

	// The water authority's device reports deep water: an alarm, a task.
	ev := fmt.Sprintf(`{"id":"cluster-1","source":"iot","type":"water_level","value":0.5,"unit":"m","device_id":"water-001","lat":30.6171,"lon":117.07773,"time":%q}`,
		time.Now().UTC().Format(time.RFC3339))
	intake := fmt.Sprintf("http://127.0.0.1:%d/api/v1/events", base+10)
	if code, m := call("POST", intake, read("intake.key"), ev); code != http.StatusAccepted {
		t.Fatalf("POST %s: %d %v", intake, code, m)
	}
	var id string
	roletest.WaitFor(t, 60*time.Second, func() error {
		code, m := call("GET", web+"/api/v1/tasks?status=dispatched", water, "")
		if code != http.StatusOK || m["total"] != float64(1) {
			return fmt.Errorf("the water authority's tasks through web: %d %v", code, m)
		}
		id, _ = m["tasks"].([]any)[0].(map[string]any)["id"].(string)
		return nil
	})
	task := web + "/api/v1/tasks/" + id
	// Until the second dispatcher's partitions settle, a step may meet a
	// partition on the move: 503 with Retry-After, which a client retries.
	roletest.WaitFor(t, 60*time.Second, func() error {
		if code, m := call("POST", task+"/accept", water, ""); code != http.StatusOK || m["status"] != "accepted" {
			if code == http.StatusServiceUnavailable {
				return fmt.Errorf("accepting %s through web: %d %v", id, code, m)
			}
			t.Fatalf("accepting %s through web: %d %v", id, code, m)
		}
		return nil
	})

	// Kill the dispatcher that holds the task, without a goodbye. The
	// first one names the holder when it forwards to it.
	first := fmt.Sprintf("http://127.0.0.1:%d", base+1)
	req, _ := http.NewRequestWithContext(ctx, "GET", first+"/api/v1/tasks/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+water)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	holder := "dispatch-1"
	if owner := resp.Header.Get("X-Cityops-Owner"); owner != "" && owner != first {
		holder = "dispatch-2"
	}
	pid, err := strconv.Atoi(read(filepath.Join("pids", holder+".pid")))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	roletest.WaitFor(t, 90*time.Second, func() error {
		if code, m := call("GET", task, water, ""); code != http.StatusOK || m["status"] != "accepted" {
			return fmt.Errorf("after the kill: %d %v", code, m)
		}
		return nil
	})
	roletest.WaitFor(t, 30*time.Second, func() error {
		if code, m := call("POST", task+"/start", water, ""); code != http.StatusOK || m["status"] != "in_progress" {
			if code == http.StatusServiceUnavailable {
				return fmt.Errorf("starting on the surviving dispatcher: %d %v", code, m)
			}
			t.Fatalf("starting on the surviving dispatcher: %d %v", code, m)
		}
		return nil
	})
	status := exec.CommandContext(ctx, "../../deploy/local/cluster.sh", "status", "--dir", dir)
	sout, err := status.CombinedOutput()
	if code := status.ProcessState.ExitCode(); code != 3 || strings.Count(string(sout), "running") != 6 ||
		!strings.Contains(string(sout), holder+": stopped") {
		t.Errorf("status after killing %s: exit %d, %v\n%s", holder, code, err, sout)
	}
}

// freePort returns a TCP port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freeBlock returns the first of n consecutive free TCP ports.
func freeBlock(t *testing.T, n int) int {
	t.Helper()
	for try := 0; try < 50; try++ {
		base := 20000 + (os.Getpid()*7919+try*97)%20000
		free := true
		for p := base; p < base+n && free; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				free = false
				continue
			}
			l.Close()
		}
		if free {
			return base
		}
	}
	t.Fatalf("no %d consecutive free ports", n)
	return 0
}
