// Package chtest starts private ClickHouse servers for tests. Each server
// listens on free ports of 127.0.0.1, keeps its data under the test's
// temporary directory, and is killed when the test ends (or when the test
// binary dies). StartServer returns one that a test can stop and restart on
// the same ports and data, to stage an outage. It runs
// deploy/local/clickhouse.sh in its foreground mode, so tests and development
// use one config, written in one place.
//
// The server binary must be installed: deploy/local/clickhouse.sh start
// installs Debian's clickhouse-server when it is missing. Without it the test
// fails; it is never skipped.
package chtest
