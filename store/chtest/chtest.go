package chtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// startTimeout is how long Start waits for a server to answer.
const startTimeout = 30 * time.Second

// Start starts a private clickhouse-server for t and returns its native
// protocol address, "127.0.0.1:PORT". The server is killed in t's cleanup. If
// the server cannot start, t fails with the reason and the server's log.
func Start(t testing.TB) string {
	t.Helper()
	return StartServer(t).Addr
}

// Server is a private server that a test can stop and start again, on the
// same ports and with the same data, to see how clients live through an
// outage.
type Server struct {
	Addr   string // "127.0.0.1:PORT" of the native protocol
	script string
	dir    string
	ports  []int
	mu     sync.Mutex
	stop   func() // nil while stopped
}

// StartServer starts a private server like Start and returns it.
func StartServer(t testing.TB) *Server {
	t.Helper()
	script, err := findScript()
	if err != nil {
		t.Fatalf("chtest: %v", err)
	}
	dir := t.TempDir()
	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		ports, err := freePorts(2)
		if err != nil {
			t.Fatalf("chtest: %v", err)
		}
		sdir := filepath.Join(dir, "clickhouse"+strconv.Itoa(attempt))
		addr, stop, err := startOn(script, sdir, ports)
		if err == nil {
			s := &Server{Addr: addr, script: script, dir: sdir, ports: ports, stop: stop}
			t.Cleanup(s.Stop)
			return s
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatalf("chtest: %v", lastErr)
	return nil
}

// Stop kills the server, as a crash or a power cut would, and waits for it
// to exit. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

// Restart starts a stopped server again on its ports with its data, and
// waits until it answers.
func (s *Server) Restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return fmt.Errorf("restarting %s: it is running", s.Addr)
	}
	var err error
	for range 50 { // the kernel may hold the ports a moment after the kill
		var stop func()
		if _, stop, err = startOn(s.script, s.dir, s.ports); err == nil {
			s.stop = stop
			return nil
		}
		if !errors.Is(err, errPortTaken) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("restarting %s: %w", s.Addr, err)
}

var errPortTaken = errors.New("a port was taken")

// start runs one server with its data under dir on free ports. stop kills it
// and waits for it to exit.
func start(script, dir string) (addr string, stop func(), err error) {
	ports, err := freePorts(2)
	if err != nil {
		return "", nil, err
	}
	return startOn(script, dir, ports)
}

// startOn runs one server with its data under dir on the given native and
// HTTP ports.
func startOn(script, dir string, ports []int) (addr string, stop func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	out, err := os.OpenFile(filepath.Join(dir, "run.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return "", nil, fmt.Errorf("creating the server's output file: %w", err)
	}
	defer out.Close()
	cmd := exec.Command("bash", script, "run", "--dir", dir,
		"--port", strconv.Itoa(ports[0]), "--http-port", strconv.Itoa(ports[1]))
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("running %s: %w", script, err)
	}
	exited := make(chan struct{}) // closed when the server has exited
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	stop = func() {
		cmd.Process.Kill() // the data is thrown away, so there is nothing to shut down cleanly
		<-exited
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	if err := waitReady(addr, exited, &waitErr); err != nil {
		stop()
		report := serverReport(dir)
		if strings.Contains(report, "Address already in use") {
			return "", nil, fmt.Errorf("%w: %v", errPortTaken, err)
		}
		return "", nil, fmt.Errorf("starting clickhouse-server in %s: %w\n%s", dir, err, report)
	}
	return addr, stop, nil
}

// waitReady pings addr until the server answers, it exits (exited is closed
// and *waitErr says how), or startTimeout passes.
func waitReady(addr string, exited <-chan struct{}, waitErr *error) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for {
		if err := ping(ctx, addr); err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("server exited before answering (%v)", *waitErr)
		case <-ctx.Done():
			return fmt.Errorf("server did not answer on %s within %v", addr, startTimeout)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// ping connects to addr and runs a ping through the native protocol.
func ping(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	c.Close()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: time.Second})
	if err != nil {
		return err
	}
	defer conn.Close()
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return conn.Ping(pctx)
}

// freePorts returns n ports of 127.0.0.1 that were free a moment ago.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// serverReport returns the script's output and the tails of the server's
// logs, for the failure message.
func serverReport(dir string) string {
	var b bytes.Buffer
	for _, name := range []string{"run.out", "logs/clickhouse-server.err.log", "logs/clickhouse-server.log"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 20 {
			lines = lines[len(lines)-20:]
		}
		fmt.Fprintf(&b, "--- %s:\n%s\n", name, strings.Join(lines, "\n"))
	}
	if b.Len() == 0 {
		return "(the server wrote no output)"
	}
	return b.String()
}

// findScript returns the path of deploy/local/clickhouse.sh: next to this
// source file's module root, or above the working directory.
func findScript() (string, error) {
	const rel = "deploy/local/clickhouse.sh"
	var tried []string
	if _, file, _, ok := runtime.Caller(0); ok {
		p := filepath.Join(filepath.Dir(file), "..", "..", rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			p := filepath.Join(d, rel)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
		tried = append(tried, "every directory above "+wd)
	}
	return "", fmt.Errorf("finding %s: not in %s", rel, strings.Join(tried, ", "))
}
