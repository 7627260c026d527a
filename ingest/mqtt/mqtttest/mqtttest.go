// Package mqtttest starts a private mosquitto broker for tests, through
// deploy/local/mosquitto.sh in its foreground mode, so tests and
// development run the same config: 127.0.0.1 only, no anonymous clients,
// the users cityops and device-gateway. The broker must be installed
// (deploy/local/test.sh and deploy/local/mosquitto.sh install do it); when
// it is not, Start skips the test and says how to install it.
package mqtttest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The passwords of the test broker's users.
const (
	Password        = "cityops-test-pw" // of the cityops user, which reads readings
	GatewayPassword = "gateway-test-pw" // of the device-gateway user, which writes them
)

// Broker is a running test broker.
type Broker struct {
	Host, Port string
	Addr       string // host:port
	URL        string // tcp://host:port
}

// Start runs a broker on a free port until the test ends.
func Start(t testing.TB) *Broker {
	t.Helper()
	if _, err := exec.LookPath("mosquitto"); err != nil {
		if _, err := os.Stat("/usr/sbin/mosquitto"); err != nil {
			t.Skip("mosquitto is not installed: deploy/local/test.sh installs it (apt-get install mosquitto mosquitto-clients)")
		}
	}
	if _, err := exec.LookPath("mosquitto_passwd"); err != nil {
		t.Skip("mosquitto_passwd is not installed: deploy/local/test.sh installs it (apt-get install mosquitto)")
	}
	script, err := findScript()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(script, "run", "--dir", dir, "--port", fmt.Sprint(port))
	cmd.Env = append(os.Environ(), "CITYOPS_MQTT_PASSWORD="+Password, "CITYOPS_MQTT_GATEWAY_PASSWORD="+GatewayPassword)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // no broker outlives its test binary
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting mosquitto: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	b := &Broker{Host: "127.0.0.1", Port: fmt.Sprint(port)}
	b.Addr = net.JoinHostPort(b.Host, b.Port)
	b.URL = "tcp://" + b.Addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", b.Addr); err == nil {
			c.Close()
			return b
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "mosquitto.log"))
			t.Fatalf("mosquitto did not listen on %s in 10s:\n%s\n%s", b.Addr, out, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// findScript returns the path of deploy/local/mosquitto.sh: next to this
// source file's module root, or above the working directory.
func findScript() (string, error) {
	const rel = "deploy/local/mosquitto.sh"
	var tried []string
	if _, file, _, ok := runtime.Caller(0); ok {
		p := filepath.Join(filepath.Dir(file), "..", "..", "..", rel)
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
