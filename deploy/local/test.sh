#!/usr/bin/env bash
# test.sh [go test flags]: runs every test of cityops on this machine. It
# installs what the tests need (Debian's ClickHouse server, Debian's mosquitto
# MQTT broker and its clients, Debian's Chromium
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

# The browser tests (cmd/cityops/role/browser_test.go) drive /usr/bin/chromium.
apt_install chromium chromium "the browser tests of the pages"
# The alert rules' tests (deploy/prometheus/alerts_test.yml) run promtool,
# which Debian ships in the prometheus package.
apt_install promtool prometheus "promtool test rules on deploy/prometheus/alerts.yml"
# The MQTT intake's tests (ingest/mqtt, cmd/cityops) run a real mosquitto
# and publish with mosquitto_pub as well as with the Go client.
apt_install mosquitto_passwd mosquitto "the MQTT intake's tests run a real broker" # in /usr/bin; the broker is in /usr/sbin
apt_install mosquitto_pub mosquitto-clients "the MQTT intake's tests publish with mosquitto_pub"
# The tests on public real data (docs/testdata.md) read $CITYOPS_TESTDATA,
# by default ../shared/data beside the repository; without it they skip,
# and under CI=true the run fails instead. The ch-modern tool is found the
# same way in $CITYOPS_TESTTOOLS or ../shared/tools.
if [ -z "${CITYOPS_TESTDATA:-}" ] && [ -d ../shared/data ]; then
  CITYOPS_TESTDATA=$(cd ../shared/data && pwd)
  export CITYOPS_TESTDATA
fi
if [ -z "${CITYOPS_TESTTOOLS:-}" ] && [ -d ../shared/tools ]; then
  CITYOPS_TESTTOOLS=$(cd ../shared/tools && pwd)
  export CITYOPS_TESTTOOLS
fi
if [ -z "${CITYOPS_TESTDATA:-}" ] || [ ! -d "$CITYOPS_TESTDATA" ]; then
  if [ "${CI:-}" = true ]; then
    echo "test.sh: CI=true but the real test data is missing: set CITYOPS_TESTDATA to its directory (docs/testdata.md)" >&2
    exit 1
  fi
  echo "test.sh: no real test data (CITYOPS_TESTDATA unset, no ../shared/data): its tests skip in these packages:" >&2
  grep -rl --include='*_test.go' 'realdata\.' . | xargs -n1 dirname | sort -u | sed 's/^/  /' >&2
  echo "  set CITYOPS_TESTDATA=DIR to run them (docs/testdata.md)" >&2
else
  echo "test.sh: real test data in $CITYOPS_TESTDATA" >&2
fi
go mod download
go vet ./...
go test -count=1 -timeout 30m "$@" ./...
