#!/usr/bin/env bash
# test.sh [go test flags]: runs every test of cityops on this machine. It
# installs what the tests need (Debian's ClickHouse server, Debian's Chromium
# for the browser tests of the pages, the Go modules); the tests start their
# own private ClickHouse servers, embedded brokers and headless browsers.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/local/clickhouse.sh install

# The browser tests (cmd/cityops/browser_test.go) drive /usr/bin/chromium.
if [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing chromium with apt-get" >&2
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "test.sh: chromium is missing and installing it needs root (or sudo)" >&2; exit 1; }
    sudo=(sudo -n)
  fi
  { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; } </dev/null >&2 ||
    { echo "test.sh: apt-get install chromium failed" >&2; exit 1; }
fi
go mod download
go vet ./...
go test -count=1 -timeout 30m "$@" ./...
