#!/usr/bin/env bash
# test.sh [go test flags]: runs every test of cityops on this machine. It
# installs what the tests need (Debian's ClickHouse server, Debian's Chromium
# for the browser tests of the pages, Debian's prometheus for promtool, the Go
# modules); the tests start their own private ClickHouse servers, embedded
# brokers and headless browsers.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/local/clickhouse.sh install

# apt_install CMD PACKAGE WHY: installs Debian's PACKAGE with apt-get when
# the command CMD is missing, as root or with sudo.
apt_install() {
  local cmd=$1 pkg=$2 why=$3
  command -v "$cmd" >/dev/null 2>&1 && return 0
  echo "test.sh: installing $pkg with apt-get ($why)" >&2
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "test.sh: $pkg is missing and installing it needs root (or sudo)" >&2; exit 1; }
    sudo=(sudo -n)
  fi
  { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg"; } </dev/null >&2 ||
    { echo "test.sh: apt-get install $pkg failed" >&2; exit 1; }
}

# The browser tests (cmd/cityops/browser_test.go) drive /usr/bin/chromium.
apt_install chromium chromium "the browser tests of the pages"
# The alert rules' tests (deploy/prometheus/alerts_test.yml) run promtool,
# which Debian ships in the prometheus package.
apt_install promtool prometheus "promtool test rules on deploy/prometheus/alerts.yml"
go mod download
go vet ./...
go test -count=1 -timeout 30m "$@" ./...
