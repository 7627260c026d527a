#!/usr/bin/env bash
# clickhouse.sh start|stop|status|run|install [--dir DIR] [--port PORT] [--http-port PORT]
#
# Runs a private ClickHouse server for development, demos and tests: Debian's
# clickhouse-server (18.16 on these machines; a current upstream `clickhouse`
# binary works too), listening on 127.0.0.1 only, with its config, data, logs
# and pid file under one directory.
#
#   start   install the server if it is missing, write the config, start the
#           server in the background and wait until it answers (~30 s at most).
#           Starting a server that already runs is not an error.
#   stop    stop the server started from DIR.
#   status  say whether the server of DIR runs (exit 0) or not (exit 3).
#   install install the server if it is missing, and nothing else (the test
#           script runs this; the tests start their own servers).
#   run     write the config and run the server in the foreground (store/chtest
#           uses this, so the config is written in one place only).
#
# Settings, flags first, then environment, then defaults:
#   --dir DIR        CITYOPS_CH_DIR        ./.cityops/clickhouse
#   --port PORT      CITYOPS_CH_PORT       9000  (native protocol)
#   --http-port PORT CITYOPS_CH_HTTP_PORT  8123
#   CITYOPS_CH_WAIT  seconds start waits for the server (30)
#   CITYOPS_CH_SERVER the server command, e.g. "clickhouse server" (found on PATH)
#
# The users profile sets allow_experimental_low_cardinality_type=1, which 18.16
# needs for LowCardinality columns; clients must never send that setting
# (current servers reject it).
set -euo pipefail
. "$(dirname "$0")/proc.sh"

die() { echo "clickhouse.sh: $*" >&2; exit 1; }

cmd=${1:-}
[ -n "$cmd" ] || die "usage: clickhouse.sh start|stop|status|run|install [--dir DIR] [--port PORT] [--http-port PORT]"
shift

dir=${CITYOPS_CH_DIR:-./.cityops/clickhouse}
port=${CITYOPS_CH_PORT:-9000}
http_port=${CITYOPS_CH_HTTP_PORT:-8123}
wait_s=${CITYOPS_CH_WAIT:-30}
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=${2:?--dir needs a value}; shift 2 ;;
    --dir=*) dir=${1#*=}; shift ;;
    --port) port=${2:?--port needs a value}; shift 2 ;;
    --port=*) port=${1#*=}; shift ;;
    --http-port) http_port=${2:?--http-port needs a value}; shift 2 ;;
    --http-port=*) http_port=${1#*=}; shift ;;
    *) die "unknown argument $1" ;;
  esac
done
case $port in ''|*[!0-9]*) die "port must be a number, not '$port'" ;; esac
case $http_port in ''|*[!0-9]*) die "http port must be a number, not '$http_port'" ;; esac

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile=$dir/clickhouse.pid
log=$dir/logs/clickhouse-server.log
errlog=$dir/logs/clickhouse-server.err.log

# server_cmd and client_cmd: Debian ships separate clickhouse-server and
# clickhouse-client binaries (the server in /usr/sbin); upstream ships one
# `clickhouse` binary with subcommands.
find_server() {
  if [ -n "${CITYOPS_CH_SERVER:-}" ]; then
    read -ra server_cmd <<<"$CITYOPS_CH_SERVER"
    command -v "${server_cmd[0]}" >/dev/null 2>&1 || return 1
  elif command -v clickhouse-server >/dev/null 2>&1; then server_cmd=(clickhouse-server)
  elif [ -x /usr/sbin/clickhouse-server ]; then server_cmd=(/usr/sbin/clickhouse-server)
  elif command -v clickhouse >/dev/null 2>&1; then server_cmd=(clickhouse server)
  else return 1
  fi
}
find_client() {
  if command -v clickhouse-client >/dev/null 2>&1; then client_cmd=(clickhouse-client)
  elif command -v clickhouse >/dev/null 2>&1; then client_cmd=(clickhouse client)
  else return 1
  fi
}

install_server() {
  find_server && find_client && return 0
  [ -z "${CITYOPS_CH_SERVER:-}" ] || find_server || die "CITYOPS_CH_SERVER=$CITYOPS_CH_SERVER: no such command"
  echo "clickhouse.sh: installing clickhouse-server and clickhouse-client with apt-get" >&2
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "clickhouse-server is missing and installing it needs root (or sudo)"
    sudo=(sudo -n)
  fi
  # Keep the package from starting its own system-wide server on port 9000:
  # policy-rc.d answering 101 tells invoke-rc.d (and systemd's deb helpers) not
  # to start services during this install. An existing policy is left alone.
  local policy=/usr/sbin/policy-rc.d own_policy=
  if [ ! -e "$policy" ]; then
    own_policy=1
    # shellcheck disable=SC2064 # expand now: sudo and policy are local
    trap "${sudo[*]} rm -f $policy" EXIT
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
  fi
  local rc=0
  { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      clickhouse-server clickhouse-client; } </dev/null >&2 || rc=$?
  if [ -n "$own_policy" ]; then
    "${sudo[@]}" rm -f "$policy"
    trap - EXIT
  fi
  [ $rc -eq 0 ] || die "apt-get install clickhouse-server clickhouse-client failed (exit $rc)"
  find_server || die "clickhouse-server is still missing after apt-get install"
  find_client || die "clickhouse-client is still missing after apt-get install"
}

write_config() {
  mkdir -p "$dir/data" "$dir/tmp" "$dir/logs" "$dir/user_files" "$dir/format_schemas"
  cat >"$dir/config.xml" <<EOF
<?xml version="1.0"?>
<!-- Written by deploy/local/clickhouse.sh; rewritten at every start. -->
<yandex>
    <logger>
        <level>warning</level>
        <log>$log</log>
        <errorlog>$errlog</errorlog>
        <size>100M</size>
        <count>3</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$port</tcp_port>
    <http_port>$http_port</http_port>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <max_connections>1024</max_connections>
    <max_concurrent_queries>100</max_concurrent_queries>
    <keep_alive_timeout>3</keep_alive_timeout>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <mark_cache_size>268435456</mark_cache_size>
    <mlock_executable>false</mlock_executable>
</yandex>
EOF
  cat >"$dir/users.xml" <<'EOF'
<?xml version="1.0"?>
<!-- Written by deploy/local/clickhouse.sh; rewritten at every start. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
EOF
}

# running_pid prints the pid of the server started from $dir, if it runs.
running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  case $pid in ''|*[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q clickhouse || return 1
  echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

answers() { "${client_cmd[@]}" --host 127.0.0.1 --port "$port" -q 'SELECT 1' >/dev/null 2>&1 </dev/null; }

log_tail() {
  local f
  for f in "$errlog" "$log" "$dir/server.out"; do
    [ -s "$f" ] || continue
    echo "--- last lines of $f:" >&2
    tail -n 20 "$f" >&2
  done
}

check_ports() {
  local p
  for p in "$port" "$http_port"; do
    port_in_use "$p" && die "port $p on 127.0.0.1 is already in use (another ClickHouse? choose one with --port/--http-port)"
  done
  return 0
}

start() {
  install_server
  local pid
  if pid=$(running_pid); then
    echo "clickhouse-server already running (pid $pid), data in $dir"
    return 0
  fi
  rm -f "$pidfile"
  check_ports
  write_config
  : >"$dir/server.out"
  # setsid: the server outlives this shell and gets no terminal signals.
  setsid "${server_cmd[@]}" --config-file="$dir/config.xml" </dev/null >>"$dir/server.out" 2>&1 &
  pid=$!
  echo "$pid" >"$pidfile"
  local deadline=$((SECONDS + wait_s))
  until answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      log_tail
      die "clickhouse-server exited while starting"
    fi
    if [ $SECONDS -ge $deadline ]; then
      log_tail
      kill "$pid" 2>/dev/null || true
      rm -f "$pidfile"
      die "clickhouse-server did not answer on 127.0.0.1:$port within ${wait_s}s"
    fi
    sleep 0.1
  done
  echo "clickhouse-server running (pid $pid) on 127.0.0.1:$port (http $http_port), data in $dir"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$pidfile"
    echo "clickhouse-server not running (no live pid in $pidfile)"
    return 0
  fi
  stop_pid clickhouse-server "$pid" 15
  rm -f "$pidfile"
  echo "clickhouse-server stopped (pid $pid)"
}

status() {
  local pid
  if pid=$(running_pid); then
    echo "clickhouse-server running (pid $pid), data in $dir"
    return 0
  fi
  echo "clickhouse-server not running (data dir $dir)"
  return 3
}

run() {
  find_server || die "clickhouse-server is not installed; run deploy/local/clickhouse.sh start once (it installs Debian's clickhouse-server with apt-get)"
  write_config
  exec "${server_cmd[@]}" --config-file="$dir/config.xml"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  status) status ;;
  run) run ;;
  install) install_server ;;
  *) die "unknown command $cmd (want start, stop, status, run or install)" ;;
esac
