package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/ingest"
)

// setting ties one key of the config file to its environment variable and
// its command-line flag. get and set speak the flag's string form.
type setting struct {
	key  string // dotted path in the file
	env  string // environment variable overriding the file
	flag string // flag overriding the environment
	get  func(*role.Config) string
	set  func(*role.Config, string) error
}

// settings lists every setting; docs/operations.md and deploy/cityops.example.yml
// document the same list, and a test keeps them in step.
var settings = []setting{
	{"kafka.brokers", "CITYOPS_KAFKA_BROKERS", "kafka",
		func(c *role.Config) string { return strings.Join(c.Kafka.Brokers, ",") },
		func(c *role.Config, v string) error { c.Kafka.Brokers = list(v); return nil }},
	{"kafka.partitions", "CITYOPS_KAFKA_PARTITIONS", "partitions",
		func(c *role.Config) string { return fmt.Sprint(c.Kafka.Partitions) },
		func(c *role.Config, v string) (err error) { c.Kafka.Partitions, err = atoi(v); return err }},
	{"kafka.session_timeout", "CITYOPS_KAFKA_SESSION_TIMEOUT", "session",
		func(c *role.Config) string { return c.Kafka.SessionTimeout.String() },
		func(c *role.Config, v string) (err error) { c.Kafka.SessionTimeout, err = duration(v); return err }},
	{"clickhouse.addr", "CITYOPS_CLICKHOUSE_ADDR", "clickhouse",
		func(c *role.Config) string { return c.ClickHouse.Addr },
		func(c *role.Config, v string) error { c.ClickHouse.Addr = v; return nil }},
	{"clickhouse.database", "CITYOPS_CLICKHOUSE_DATABASE", "database",
		func(c *role.Config) string { return c.ClickHouse.Database },
		func(c *role.Config, v string) error { c.ClickHouse.Database = v; return nil }},
	{"http.listen", "CITYOPS_HTTP_LISTEN", "http",
		func(c *role.Config) string { return c.HTTP.Listen },
		func(c *role.Config, v string) error { c.HTTP.Listen = v; return nil }},
	{"admin.listen", "CITYOPS_ADMIN_LISTEN", "admin",
		func(c *role.Config) string { return c.Admin.Listen },
		func(c *role.Config, v string) error { c.Admin.Listen = v; return nil }},
	{"pack", "CITYOPS_PACK", "pack",
		func(c *role.Config) string { return c.Pack },
		func(c *role.Config, v string) error { c.Pack = v; return nil }},
	{"intake.keys", "CITYOPS_INTAKE_KEYS", "intake-keys",
		func(c *role.Config) string { return strings.Join(c.Intake.Keys, "\n") },
		func(c *role.Config, v string) error { c.Intake.Keys = nonNil(ingest.SplitKeys(v)); return nil }},
	{"intake.api_keys", "CITYOPS_API_KEYS", "api-keys",
		func(c *role.Config) string { return strings.Join(c.Intake.APIKeys, ",") },
		func(c *role.Config, v string) error { c.Intake.APIKeys = list(v); return nil }},
	{"intake.caller_key", "CITYOPS_CALLER_KEY", "caller-key",
		func(c *role.Config) string { return c.Intake.CallerKey },
		func(c *role.Config, v string) error { c.Intake.CallerKey = v; return nil }},
	{"intake.officers", "CITYOPS_OFFICERS", "officers",
		func(c *role.Config) string { return strings.Join(c.Intake.Officers, ",") },
		func(c *role.Config, v string) error { c.Intake.Officers = list(v); return nil }},
	{"dispatch.cluster_secret", "CITYOPS_CLUSTER_SECRET", "cluster-secret",
		func(c *role.Config) string { return c.Dispatch.ClusterSecret },
		func(c *role.Config, v string) error { c.Dispatch.ClusterSecret = v; return nil }},
	{"web.public_min_count", "CITYOPS_PUBLIC_MIN_COUNT", "public-min-count",
		func(c *role.Config) string { return fmt.Sprint(c.Web.PublicMinCount) },
		func(c *role.Config, v string) (err error) { c.Web.PublicMinCount, err = atoi(v); return err }},
	{"shutdown.timeout", "CITYOPS_SHUTDOWN_TIMEOUT", "shutdown-timeout",
		func(c *role.Config) string { return c.Shutdown.Timeout.String() },
		func(c *role.Config, v string) (err error) { c.Shutdown.Timeout, err = duration(v); return err }},
	{"log.level", "CITYOPS_LOG_LEVEL", "log-level",
		func(c *role.Config) string { return c.Log.Level },
		func(c *role.Config, v string) error { c.Log.Level = v; return nil }},
}

// duration parses a setting's duration.
func duration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 30s", v)
	}
	return d, nil
}

// nonNil keeps an empty list a list, as the defaults have it.
func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
