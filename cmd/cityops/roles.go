package main

import (
	"context"
	"io"
	"os"

	"github.com/cityops/cityops/cmd/cityops/role"
)

// The roles' subcommands: each parses its flags onto the settings and runs
// its role, whose wiring is the role package's.

func runProcess(ctx context.Context, args []string, _, stderr io.Writer) error {
	var c role.Config
	fs := newFlags("process", stderr, &c, "kafka", "clickhouse", "pack", "admin", "run")
	if err := parseFlags(fs, &c, args); err != nil {
		return err
	}
	return role.Process(ctx, c, c.Logger(stderr))
}

func runStore(ctx context.Context, args []string, _, stderr io.Writer) error {
	var c role.Config
	fs := newFlags("store", stderr, &c, "kafka", "clickhouse", "pack", "admin", "run")
	if err := parseFlags(fs, &c, args); err != nil {
		return err
	}
	return role.Store(ctx, c, c.Logger(stderr))
}

func runWeb(ctx context.Context, args []string, _, stderr io.Writer) error {
	var c role.Config
	fs := newFlags("web", stderr, &c, "kafka", "clickhouse", "http", "pack", "run")
	fs.StringVar(&c.Tokens, "tokens", c.Tokens, "the dispatch role's API tokens file, whose tokens open the live map's center, inspector and department views and the history API")
	registerPublicMinCount(fs, &c)
	fs.StringVar(&c.Tasks, "tasks", os.Getenv("CITYOPS_TASKS_URL"), "base URLs of the dispatchers' tasks API, comma-separated, served through this server so the inbox works on its origin, and where citizens' Open311 ratings go, signed with the cluster secret (env CITYOPS_CLUSTER_SECRET) (env CITYOPS_TASKS_URL; empty: no tasks API)")
	if err := parseFlags(fs, &c, args); err != nil {
		return err
	}
	return role.Web(ctx, c, c.Logger(stderr))
}

// runIngest runs the intake role alone: the events API, Open311, sensor
// readings and the caller lookup over HTTP.
func runIngest(ctx context.Context, args []string, _, stderr io.Writer) error {
	var c role.Config
	fs := newFlags("ingest", stderr, &c, "kafka", "clickhouse", "http", "pack", "run")
	fs.StringVar(&c.Tasks, "tasks", os.Getenv("CITYOPS_TASKS_URL"), "base URLs of the dispatchers' tasks API (each its --advertise URL), comma-separated, which take citizens' Open311 ratings, signed with the cluster secret (env CITYOPS_CLUSTER_SECRET) (env CITYOPS_TASKS_URL; empty: no ratings)")
	if err := parseFlags(fs, &c, args); err != nil {
		return err
	}
	return role.Ingest(ctx, c, c.Logger(stderr))
}

func runDispatch(ctx context.Context, args []string, _, stderr io.Writer) error {
	var c role.Config
	fs := newFlags("dispatch", stderr, &c, "kafka", "pack", "run")
	c.HTTP.Listen = ":8081"
	settingVar(fs, &c, "http.listen", "HTTP listen address of the tasks API and /metrics")
	var files role.DispatchFiles
	fs.StringVar(&c.Tokens, "tokens", c.Tokens, "API tokens file; created with new tokens when missing")
	fs.StringVar(&files.Webhooks, "webhooks", "", `departments' webhooks, a JSON file {"DEPT": {"url": ..., "secret": ...}}`)
	fs.StringVar(&files.Advertise, "advertise", "", "the base URL other replicas reach this one's tasks API at (default http://localhost:PORT of --http)")
	registerClusterSecret(fs, &c)
	fs.BoolVar(&files.Feeds, "department-topics", false, "also publish each department's transitions on the topic tasks.DEPT (always on with --webhooks, which are delivered from those topics)")
	if err := parseFlags(fs, &c, args); err != nil {
		return err
	}
	return role.Dispatch(ctx, c, files, c.Logger(stderr))
}
