package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/cityops/cityops/cmd/cityops/role"
)

// newFlags returns a flag set for command name whose flags fill c, which it
// sets to the defaults first: the flags of the settings in the groups which
// names, and -v.
func newFlags(name string, stderr io.Writer, c *role.Config, which ...string) *flag.FlagSet {
	fs := flag.NewFlagSet("cityops "+name, flag.ContinueOnError)
	*c = role.Defaults()
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of %s:\n", fs.Name())
		printDefaults(fs)
	}
	for _, w := range which {
		switch w {
		case "kafka":
			settingVar(fs, c, "kafka.brokers", "Kafka brokers, comma-separated host:port")
			settingVar(fs, c, "kafka.partitions", "partitions of the topics created at start")
			settingVar(fs, c, "kafka.session_timeout", "consumer group session timeout of the process role: how long a dead replica keeps its partitions (6s to 5m)")
		case "clickhouse":
			settingVar(fs, c, "clickhouse.addr", "ClickHouse native protocol host:port")
			settingVar(fs, c, "clickhouse.database", "ClickHouse database")
		case "http":
			settingVar(fs, c, "http.listen", "HTTP listen address")
			registerIntake(fs, c)
		case "pack":
			settingVar(fs, c, "pack", "city pack directory (default: the built-in demo city)")
		case "admin":
			settingVar(fs, c, "admin.listen", "listen address of /healthz, /readyz and /metrics; empty for none")
		case "run":
			settingVar(fs, c, "shutdown.timeout", "deadline of a graceful shutdown; forced after it")
			settingVar(fs, c, "log.level", "debug, info, warn or error")
		}
	}
	fs.BoolVar(&c.Log.Verbose, "v", false, "log debug messages")
	return fs
}

// settingVar registers the flag of the setting key on fs: it reads and
// writes that setting of c, and its default is c's value now.
func settingVar(fs *flag.FlagSet, c *role.Config, key, usage string) {
	s, ok := settingOf(key)
	if !ok {
		panic(fmt.Sprintf("settingVar: no setting %q", key))
	}
	fs.Var(settingFlag{s, c}, s.flag, usage)
}

// settingOf returns the setting of key.
func settingOf(key string) (setting, bool) {
	for _, s := range settings {
		if s.key == key {
			return s, true
		}
	}
	return setting{}, false
}

// settingFlag is the flag.Value of one setting of a config.
type settingFlag struct {
	s setting
	c *role.Config
}

func (f settingFlag) String() string {
	if f.c == nil { // the zero value flag.PrintDefaults makes
		return ""
	}
	return f.s.get(f.c)
}

func (f settingFlag) Set(v string) error { return f.s.set(f.c, v) }

// registerIntake adds the intake flags. In dev the intake key dev-key
// (named dev), the api key dev-key and the officer token dev-officer are
// accepted besides the configured ones (see parseFlags), and a caller key
// is kept under the data dir when none is given (see devSecrets); the other
// roles refuse to start without intake keys and a caller key.
func registerIntake(fs *flag.FlagSet, c *role.Config) {
	settingVar(fs, c, "intake.keys", "keys of the senders allowed to post events and readings: name=key[;sources=hotline,iot][;devices=d1,d2], comma- or newline-separated (env CITYOPS_INTAKE_KEYS)")
	settingVar(fs, c, "intake.api_keys", "Open311 api keys allowed to create requests, comma-separated (env CITYOPS_API_KEYS)")
	settingVar(fs, c, "intake.caller_key", "hex AES-256 key sealing callers' personal data (env CITYOPS_CALLER_KEY)")
	settingVar(fs, c, "intake.officers", "token=name pairs allowed to read callers, comma-separated (env CITYOPS_OFFICERS)")
}
