#!/usr/bin/env bash
# test.sh [go test flags]: runs every test of cityops on this machine. It
# installs what the tests need (Debian's ClickHouse server, the Go modules);
# the tests start their own private ClickHouse servers and embedded brokers.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/local/clickhouse.sh install
go mod download
go vet ./...
go test -count=1 -timeout 30m "$@" ./...
