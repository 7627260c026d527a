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
)

// command is one subcommand: its run function and a line of help.
type command struct {
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	usage string
}

var commands = map[string]command{
	"dev":     {runDev, "run everything in one process: broker, pipeline, web on :8080 and the simulator"},
	"broker":  {runBroker, "run the embedded Kafka-protocol broker"},
	"migrate": {runMigrate, "create or update the ClickHouse schema (--print writes the SQL)"},
	"process": {runProcess, "run the processor: classify, place and assign raw events"},
	"store":   {runStore, "run the ClickHouse sink of incident changes"},
	"web":     {runWeb, "run the HTTP server: intake API, live map, websocket, metrics"},
	"sim":     {runSim, "feed a running system a realistic stream of events"},
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
		fmt.Fprintln(stdout, buildOf())
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
