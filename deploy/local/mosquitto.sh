#!/usr/bin/env bash
# mosquitto.sh start|stop|status|run|install [--dir DIR] [--port PORT]
#
# Runs a private MQTT broker for development, demos and tests: Debian's
# mosquitto, listening on 127.0.0.1 only, with authentication, its config,
# password file, persistence, log and pid file under one directory.
#
#   start   install the broker if it is missing, write the config, start the
#           broker in the background and wait until it answers (~10 s at
#           most). Starting a broker that already runs is not an error.
#   stop    stop the broker started from DIR.
#   status  say whether the broker of DIR runs (exit 0) or not (exit 3).
#   install install the broker and its clients if they are missing, and
#           nothing else (the test script runs this; the tests start their own
#           brokers).
#   run     write the config and run the broker in the foreground
#           (ingest/mqtt's tests use this, so the config is written in one
#           place only).
#
# Two users, no anonymous access (the ACL in DIR/acl):
#   cityops         reads cityops/readings/# (the `cityops mqtt` role)
#   device-gateway  writes cityops/readings/# (devices and gateways)
# Their passwords come from CITYOPS_MQTT_PASSWORD and
# CITYOPS_MQTT_GATEWAY_PASSWORD; when unset, a random one is made once and kept
# in DIR/cityops.password and DIR/device-gateway.password (mode 600), which
# `cityops dev` reads.
#
# Settings, flags first, then environment, then defaults:
#   --dir DIR        CITYOPS_MQTT_DIR   ./.cityops/mosquitto
#   --port PORT      CITYOPS_MQTT_PORT  1883
#   CITYOPS_MQTT_WAIT  seconds start waits for the broker (10)
set -euo pipefail
. "$(dirname "$0")/proc.sh"

die() { echo "mosquitto.sh: $*" >&2; exit 1; }

cmd=${1:-}
[ -n "$cmd" ] || die "usage: mosquitto.sh start|stop|status|run|install [--dir DIR] [--port PORT]"
shift

dir=${CITYOPS_MQTT_DIR:-./.cityops/mosquitto}
port=${CITYOPS_MQTT_PORT:-1883}
wait_s=${CITYOPS_MQTT_WAIT:-10}
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=${2:?--dir needs a value}; shift 2 ;;
    --dir=*) dir=${1#*=}; shift ;;
    --port) port=${2:?--port needs a value}; shift 2 ;;
    --port=*) port=${1#*=}; shift ;;
    *) die "unknown argument $1" ;;
  esac
done
case $port in ''|*[!0-9]*) die "port must be a number, not '$port'" ;; esac

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile=$dir/mosquitto.pid
log=$dir/mosquitto.log

# Debian puts the broker in /usr/sbin, which is not on every user's PATH.
find_server() {
  if command -v mosquitto >/dev/null 2>&1; then server=$(command -v mosquitto)
  elif [ -x /usr/sbin/mosquitto ]; then server=/usr/sbin/mosquitto
  else return 1
  fi
}
find_tools() {
  command -v mosquitto_passwd >/dev/null 2>&1 && command -v mosquitto_pub >/dev/null 2>&1
}

install_server() {
  find_server && find_tools && return 0
  echo "mosquitto.sh: installing mosquitto and mosquitto-clients with apt-get" >&2
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "mosquitto is missing and installing it needs root (or sudo)"
    sudo=(sudo -n)
  fi
  # Keep the package from starting its own system-wide broker on port 1883
  # (see clickhouse.sh: policy-rc.d answering 101 stops invoke-rc.d).
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
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      mosquitto mosquitto-clients; } </dev/null >&2 || rc=$?
  if [ -n "$own_policy" ]; then
    "${sudo[@]}" rm -f "$policy"
    trap - EXIT
  fi
  [ $rc -eq 0 ] || die "apt-get install mosquitto mosquitto-clients failed (exit $rc)"
  find_server || die "mosquitto is still missing after apt-get install"
  find_tools || die "mosquitto_passwd or mosquitto_pub is still missing after apt-get install"
}

# password USER ENV prints USER's password: from the environment variable
# ENV, or the one kept in DIR/USER.password (made on first use).
password() {
  local user=$1 env=$2 f=$dir/$1.password
  if [ -n "${!env:-}" ]; then
    printf '%s' "${!env}"
    return
  fi
  if [ ! -s "$f" ]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$f")
  fi
  cat "$f"
}

write_config() {
  mkdir -p "$dir/data"
  local passwd=$dir/passwd
  rm -f "$passwd"
  (umask 077 && : >"$passwd")
  mosquitto_passwd -b "$passwd" cityops "$(password cityops CITYOPS_MQTT_PASSWORD)"
  mosquitto_passwd -b "$passwd" device-gateway "$(password device-gateway CITYOPS_MQTT_GATEWAY_PASSWORD)"
  cat >"$dir/acl" <<'EOF'
# Written by deploy/local/mosquitto.sh; rewritten at every start.
user cityops
topic read cityops/readings/#

user device-gateway
topic write cityops/readings/#
EOF
  chmod 600 "$dir/acl"
  cat >"$dir/mosquitto.conf" <<EOF
# Written by deploy/local/mosquitto.sh; rewritten at every start.
# Stay the user that started it (as root mosquitto would switch to the
# mosquitto user, which cannot read this directory).
user $(id -un)
listener $port 127.0.0.1
allow_anonymous false
password_file $passwd
acl_file $dir/acl
persistence true
persistence_location $dir/data/
autosave_interval 10
log_dest file $log
log_type error
log_type warning
log_type notice
# cityops acknowledges readings in batches, after Kafka has them: let that
# many QoS 1 messages be unacknowledged at once per client, and keep a
# subscriber's messages while it restarts.
max_inflight_messages 1000
max_queued_messages 100000
# Sessions of clients that never come back are dropped after a day.
persistent_client_expiration 1d
EOF
}

# running_pid prints the pid of the broker started from $dir, if it runs.
running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  case $pid in ''|*[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q mosquitto || return 1
  echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# answers: the broker accepts the cityops user's connection.
answers() {
  mosquitto_pub -h 127.0.0.1 -p "$port" -u cityops -P "$(password cityops CITYOPS_MQTT_PASSWORD)" \
    -i "mosquitto-sh-$$" -t cityops/ping -n -q 0 >/dev/null 2>&1 </dev/null
}

log_tail() {
  local f
  for f in "$log" "$dir/server.out"; do
    [ -s "$f" ] || continue
    echo "--- last lines of $f:" >&2
    tail -n 20 "$f" >&2
  done
}

start() {
  install_server
  local pid
  if pid=$(running_pid); then
    echo "mosquitto already running (pid $pid) on 127.0.0.1:$port, data in $dir"
    return 0
  fi
  rm -f "$pidfile"
  port_in_use "$port" && die "port $port on 127.0.0.1 is already in use (another MQTT broker? choose one with --port)"
  write_config
  : >"$dir/server.out"
  # setsid: the broker outlives this shell and gets no terminal signals.
  setsid "$server" -c "$dir/mosquitto.conf" </dev/null >>"$dir/server.out" 2>&1 &
  pid=$!
  echo "$pid" >"$pidfile"
  local deadline=$((SECONDS + wait_s))
  until answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      log_tail
      die "mosquitto exited while starting"
    fi
    if [ $SECONDS -ge $deadline ]; then
      log_tail
      kill "$pid" 2>/dev/null || true
      rm -f "$pidfile"
      die "mosquitto did not answer on 127.0.0.1:$port within ${wait_s}s"
    fi
    sleep 0.1
  done
  echo "mosquitto running (pid $pid) on 127.0.0.1:$port, users cityops and device-gateway (passwords in $dir), data in $dir"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$pidfile"
    echo "mosquitto not running (no live pid in $pidfile)"
    return 0
  fi
  stop_pid mosquitto "$pid" 10
  rm -f "$pidfile"
  echo "mosquitto stopped (pid $pid)"
}

status() {
  local pid
  if pid=$(running_pid); then
    echo "mosquitto running (pid $pid), data in $dir"
    return 0
  fi
  echo "mosquitto not running (data dir $dir)"
  return 3
}

run() {
  find_server || die "mosquitto is not installed; run deploy/local/mosquitto.sh install once (it installs Debian's mosquitto with apt-get)"
  command -v mosquitto_passwd >/dev/null 2>&1 || die "mosquitto_passwd is missing; run deploy/local/mosquitto.sh install"
  write_config
  exec "$server" -c "$dir/mosquitto.conf"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  status) status ;;
  run) run ;;
  install) install_server ;;
  *) die "unknown command $cmd (want start, stop, status, run or install)" ;;
esac
