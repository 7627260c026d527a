// Command cityops runs the cityops platform. Each subcommand is one role;
// `cityops dev` runs them all in one process with an embedded broker.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/cityops/cityops/cmd/cityops/role"
)

// command is one subcommand: its run function and a line of help.
type command struct {
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	usage string
}

// commands are every subcommand of cityops.
var commands = map[string]command{
	"dev":          {runDev, "run everything in one process: broker, pipeline, web on :8080 and the simulator"},
	"broker":       {runBroker, "run the embedded Kafka-protocol broker"},
	"migrate":      {runMigrate, "create or update the ClickHouse schema (--print writes the SQL)"},
	"process":      {runProcess, "run the processor: classify, place and assign raw events"},
	"store":        {runStore, "run the ClickHouse sink of incident changes"},
	"web":          {runWeb, "run the HTTP server: intake API, live map, websocket, metrics"},
	"sim":          {runSim, "feed a running system a realistic stream of events"},
	"check-config": {runCheckConfig, "check a YAML config file with the environment; print the effective config or every error"},
	"dispatch":     {runDispatch, "run the dispatcher: task state, deadlines, escalation and the tasks API"},
	"dlq":          {runDLQ, "list or replay dead letters: dlq list [--json] | dlq replay [--dry-run]"},
	"history":      {runHistory, "print the planner queries (--print-queries), drop old months (--retain-months N, --retain-readings-months N) or merge quiet ones (--settle)"},
	"ingest":       {runIngest, "run intake only: the events API, Open311 and sensor readings, onto Kafka"},
	"load":         {runLoad, "drive a running system at a target rate with the city's simulated requests and readings (--data: replayed real ones); report throughput and latency"},
	"mqtt":         {runMQTT, "run the MQTT intake: device readings from an MQTT broker onto Kafka"},
	"pack":         {runPack, "pack check DIR | pack learn ... | pack eval DIR ...: check, bootstrap and measure city packs"},
	"replay":       {runReplay, "feed recorded hotline requests from a CSV file: replay FILE.csv --format nyc311|--mapping FILE.yaml"},
	"rules":        {runRules, "rules test PACK EVENTS.ndjson | rules test PACK --history: decisions with explanations, or a what-if over stored events"},
	"version":      {runVersion, "print the version, the Go version and the source revision this binary was built from"},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch {
	case isHelp(args[0]):
		usage(stdout)
		return 0
	case args[0] == "--version" || args[0] == "-version":
		fmt.Fprintln(stdout, role.ReadBuild())
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cityops: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	code := exitCode(err)
	if code != 0 {
		fmt.Fprintf(stderr, "cityops %s: %v\n", args[0], err)
	}
	return code
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: cityops COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].usage)
	}
	fmt.Fprintln(w, "\nRun 'cityops COMMAND -h' for a command's flags, 'cityops --version' for the build.")
}
