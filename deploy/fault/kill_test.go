package fault

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// startProcessRole starts the processor in a process of its own.
func (e *env) startProcessRole(t *testing.T, n int) *exec.Cmd {
	t.Helper()
	logf, err := os.Create(filepath.Join(t.TempDir(), fmt.Sprintf("process%d.log", n)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), RoleEnv+"=process", "CITYOPS_FAULT_KAFKA="+e.addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

// TestProcessorKill9: the processor is killed with SIGKILL half way through
// a run and a new one takes over its consumer group. Every event is stored
// once.
func TestProcessorKill9(t *testing.T) {
	n, rate, wait := 20_000, 10_000.0, 3*time.Minute
	if *full {
		n, rate, wait = 1_000_000, 50_000, 15*time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait+5*time.Minute)
	defer cancel()
	e := newEnv(ctx, t)
	stages, stop := context.WithCancel(ctx)
	defer stop()
	waitSink := e.supervise(stages, "sink", func(ctx context.Context) error { return sink(ctx, e.brokers(), e.s, e.log) })

	first := e.startProcessRole(t, 1)
	sent := make(chan int64, 1)
	go func() { r := e.produce(ctx, n, rate); sent <- r.Accepted }()
	time.Sleep(time.Duration(float64(n) / rate / 2 * float64(time.Second)))
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	killedAt := e.storedNow(ctx)
	e.startProcessRole(t, 2)

	in := <-sent
	final, raw := e.waitStored(ctx, in, wait)
	stop()
	waitSink()
	record(t, e.storedResult(ctx, fmt.Sprintf("processor kill -9 (%d events at %.0f/s)", n, rate), in, final, raw,
		fmt.Sprintf("killed with %d stored; a new processor took over the group", killedAt)))
}
