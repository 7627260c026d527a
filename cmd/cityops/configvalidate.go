package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/privacy"
)

// validate checks every setting of c and returns all that are wrong at once,
// each naming its key (and its line, when the file set it).
func validate(c *role.Config, src *source) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		field := key
		if src != nil {
			if line, ok := src.lines[key]; ok {
				field = fmt.Sprintf("line %d: %s", line, key)
			} else if env, ok := src.env[key]; ok {
				field = fmt.Sprintf("%s (from %s)", key, env)
			}
		}
		errs = append(errs, cityops.Invalid(field, format, args...))
	}
	if len(c.Kafka.Brokers) == 0 {
		bad("kafka.brokers", "is empty")
	}
	for _, b := range c.Kafka.Brokers {
		if err := hostPort(b, true); err != nil {
			bad("kafka.brokers", "%q %v", b, err)
		}
	}
	if c.Web.PublicMinCount < 1 || c.Web.PublicMinCount > 1000 {
		bad("web.public_min_count", "is %d, want 1 to 1000", c.Web.PublicMinCount)
	}
	if c.Kafka.Partitions < 1 || c.Kafka.Partitions > 10000 {
		bad("kafka.partitions", "is %d, want 1 to 10000", c.Kafka.Partitions)
	}
	if d := c.Kafka.SessionTimeout; d < minSession || d > maxSession {
		bad("kafka.session_timeout", "is %v, want %v to %v", d, minSession, maxSession)
	}
	if err := hostPort(c.ClickHouse.Addr, true); err != nil {
		bad("clickhouse.addr", "%q %v", c.ClickHouse.Addr, err)
	}
	if !identifier(c.ClickHouse.Database) {
		bad("clickhouse.database", "%q is not a database name (letters, digits and _)", c.ClickHouse.Database)
	}
	if err := hostPort(c.HTTP.Listen, false); err != nil {
		bad("http.listen", "%q %v", c.HTTP.Listen, err)
	}
	if c.Admin.Listen != "" { // empty turns the admin server off
		if err := hostPort(c.Admin.Listen, false); err != nil {
			bad("admin.listen", "%q %v", c.Admin.Listen, err)
		}
	}
	if c.Intake.CallerKey != "" {
		if _, err := privacy.ParseKey(c.Intake.CallerKey); err != nil {
			bad("intake.caller_key", "%s", strings.TrimPrefix(err.Error(), "decoding the caller key: "))
		}
	}
	if c.Dispatch.ClusterSecret != "" {
		if _, err := taskapi.ParseSecret(c.Dispatch.ClusterSecret); err != nil {
			bad("dispatch.cluster_secret", "%s", strings.TrimPrefix(err.Error(), "decoding the cluster secret: "))
		}
	}
	var keys []ingest.Key
	for _, spec := range c.Intake.Keys {
		k, err := ingest.ParseKey(spec)
		if err != nil {
			bad("intake.keys", "%v", err)
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == len(c.Intake.Keys) {
		if _, err := ingest.NewKeys(keys); err != nil {
			bad("intake.keys", "%v", err)
		}
	}
	for _, o := range c.Intake.Officers {
		if k, v, ok := strings.Cut(o, "="); !ok || k == "" || v == "" {
			bad("intake.officers", "%q is not token=name", o)
		}
	}
	if c.Shutdown.Timeout <= 0 {
		bad("shutdown.timeout", "is %v, want more than 0", c.Shutdown.Timeout)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "is %q, want debug, info, warn or error", c.Log.Level)
	}
	return errors.Join(errs...)
}

// The session timeouts every broker the roles run against accepts by
// default (group.min.session.timeout.ms and group.max.session.timeout.ms:
// 6 s and 5 min in the embedded broker, 6 s and 30 min in current Kafka). A
// member asking for a timeout outside the broker's range cannot join its
// group, so the role would start and never consume.
const (
	minSession = 6 * time.Second
	maxSession = 5 * time.Minute
)

// hostPort checks a host:port address; a listen address may leave the host
// empty.
func hostPort(addr string, needHost bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("is not host:port")
	}
	if needHost && host == "" {
		return errors.New("has no host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("has no port number")
	}
	return nil
}

func identifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
