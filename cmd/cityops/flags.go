package main

import (
	"flag"
	"fmt"
	"io"
)

// newFlags returns a flag set for command name whose flags fill c, which it
// sets to the defaults first: the flags of the settings in the groups which
// names, and -v.
func newFlags(name string, stderr io.Writer, c *config, which ...string) *flag.FlagSet {
	fs := flag.NewFlagSet("cityops "+name, flag.ContinueOnError)
	*c = defaultConfig()
	fs.SetOutput(stderr)
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
func settingVar(fs *flag.FlagSet, c *config, key, usage string) {
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
	c *config
}

func (f settingFlag) String() string {
	if f.c == nil { // the zero value flag.PrintDefaults makes
		return ""
	}
	return f.s.get(f.c)
}

func (f settingFlag) Set(v string) error { return f.s.set(f.c, v) }
