#!/usr/bin/env bash
# cluster.sh start|stop|status [--dir DIR]: runs cityops on this machine the
# way a city deploys it, each role its own process: the broker, a private
# ClickHouse, one processor, one ClickHouse sink, two dispatchers, an intake
# and a web server that serves the pages and, through --tasks, the
# dispatchers' tasks API on its own origin. It is the layout of
# deploy/k8s and deploy/compose without containers, to try a role's flags,
# kill a replica, or watch a rebalance.
#
#   start   build cityops, start every role in the background, wait until
#           each one is ready and print where each one is. Secrets (the
#           caller key, the cluster secret, an intake key and an Open311
#           key) are made the first time and kept under DIR; the dispatchers
#           write tokens.json there.
#   stop    stop every role (SIGTERM, then SIGKILL after the shutdown
#           deadline) and the ClickHouse server.
#   status  list the roles and whether each runs (exit 3 when one does not).
#
# Settings (environment):
#   CITYOPS_CLUSTER_DIR        ./.cityops-cluster  (or --dir DIR)
#   CITYOPS_CLUSTER_PORT       8080  web; dispatchers on +1 and +2, intake on
#                                    +10, the processor's and the sink's
#                                    probes on +11 and +12
#   CITYOPS_CLUSTER_KAFKA_PORT 9092
#   CITYOPS_CH_PORT            9000  (and CITYOPS_CH_HTTP_PORT, 8123)
#   CITYOPS_CLUSTER_WAIT       60    seconds start waits for each role
set -euo pipefail
. "$(dirname "$0")/proc.sh"
cd "$(dirname "$0")/../.."

die() { echo "cluster.sh: $*" >&2; exit 1; }

cmd=${1:-}
[ -n "$cmd" ] || die "usage: cluster.sh start|stop|status [--dir DIR]"
shift
dir=${CITYOPS_CLUSTER_DIR:-./.cityops-cluster}
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=${2:?--dir needs a value}; shift 2 ;;
    --dir=*) dir=${1#*=}; shift ;;
    *) die "unknown argument $1" ;;
  esac
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
port=${CITYOPS_CLUSTER_PORT:-8080}
kafka=127.0.0.1:${CITYOPS_CLUSTER_KAFKA_PORT:-9092}
ch_port=${CITYOPS_CH_PORT:-9000}
clickhouse=127.0.0.1:$ch_port
wait_s=${CITYOPS_CLUSTER_WAIT:-60}
bin=$dir/bin/cityops
roles=(broker dispatch-1 dispatch-2 process store ingest web)

# secret NAME: the secret kept in DIR/NAME, made the first time.
secret() {
  local f=$dir/$1
  if [ ! -s "$f" ]; then
    (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$f")
  fi
  cat "$f"
}

pidfile() { echo "$dir/pids/$1.pid"; }

running() {
  local f
  f=$(pidfile "$1")
  [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

# launch NAME ARGS...: runs cityops ARGS in the background, logging to
# DIR/logs/NAME.log.
launch() {
  local name=$1
  shift
  if running "$name"; then
    echo "cluster.sh: $name already runs (pid $(cat "$(pidfile "$name")"))" >&2
    return
  fi
  setsid "$bin" "$@" >>"$dir/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

# ready NAME URL: waits until URL answers 200, or the role exits.
ready() {
  local name=$1 url=$2 i
  for ((i = 0; i < wait_s * 5; i++)); do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
      return
    fi
    running "$name" || die "$name exited; its log: $dir/logs/$name.log
$(tail -n 20 "$dir/logs/$name.log")"
    sleep 0.2
  done
  die "$name is not ready at $url after ${wait_s}s; its log: $dir/logs/$name.log"
}

# listening NAME HOST:PORT: waits until the address accepts connections.
listening() {
  local name=$1 addr=$2 i
  for ((i = 0; i < wait_s * 5; i++)); do
    if (exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null; then
      return
    fi
    running "$name" || die "$name exited; its log: $dir/logs/$name.log"
    sleep 0.2
  done
  die "$name does not listen on $addr after ${wait_s}s"
}

start() {
  mkdir -p "$dir/pids" "$dir/logs" "$dir/bin"
  deploy/local/clickhouse.sh start --dir "$dir/clickhouse" --port "$ch_port" >&2
  go build -o "$bin" ./cmd/cityops
  export CITYOPS_CALLER_KEY CITYOPS_CLUSTER_SECRET CITYOPS_INTAKE_KEYS CITYOPS_API_KEYS
  CITYOPS_CALLER_KEY=$(secret caller.key)
  CITYOPS_CLUSTER_SECRET=$(secret cluster.secret)
  CITYOPS_INTAKE_KEYS=cluster=$(secret intake.key)
  CITYOPS_API_KEYS=$(secret open311.key)

  launch broker broker --listen "$kafka" --data-dir "$dir/kafka" --partitions 4
  listening broker "$kafka"
  "$bin" migrate --clickhouse "$clickhouse" >>"$dir/logs/migrate.log" 2>&1 ||
    die "migrate failed; its log: $dir/logs/migrate.log"
  # The first dispatcher writes tokens.json; the others and web read it.
  local d1=127.0.0.1:$((port + 1)) d2=127.0.0.1:$((port + 2))
  launch dispatch-1 dispatch --kafka "$kafka" --http "$d1" --advertise "http://$d1" --tokens "$dir/tokens.json"
  ready dispatch-1 "http://$d1/readyz"
  launch dispatch-2 dispatch --kafka "$kafka" --http "$d2" --advertise "http://$d2" --tokens "$dir/tokens.json"
  launch process process --kafka "$kafka" --clickhouse "$clickhouse" --admin "127.0.0.1:$((port + 11))"
  launch store store --kafka "$kafka" --clickhouse "$clickhouse" --admin "127.0.0.1:$((port + 12))"
  launch ingest ingest --kafka "$kafka" --clickhouse "$clickhouse" --http "127.0.0.1:$((port + 10))"
  launch web web --kafka "$kafka" --clickhouse "$clickhouse" --http "127.0.0.1:$port" \
    --tokens "$dir/tokens.json" --tasks "http://$d1,http://$d2"
  ready dispatch-2 "http://$d2/readyz"
  ready process "http://127.0.0.1:$((port + 11))/readyz"
  ready store "http://127.0.0.1:$((port + 12))/readyz"
  ready ingest "http://127.0.0.1:$((port + 10))/readyz"
  ready web "http://127.0.0.1:$port/readyz"
  cat <<EOF
cityops runs as separate roles (logs and pids under $dir):
  live map, inbox, planner  http://127.0.0.1:$port/  (tasks API proxied to the dispatchers)
  intake                    http://127.0.0.1:$((port + 10))/api/v1/events  (Authorization: Bearer \$(cat $dir/intake.key))
  Open311                   http://127.0.0.1:$((port + 10))/open311/v2/  (api_key: $dir/open311.key)
  dispatchers               http://$d1  http://$d2
  processor, sink probes    http://127.0.0.1:$((port + 11))/metrics  http://127.0.0.1:$((port + 12))/metrics
  broker                    $kafka
  ClickHouse                $clickhouse
  tokens                    $dir/tokens.json
stop everything with: deploy/local/cluster.sh stop${dir:+ --dir $dir}
EOF
}

stop() {
  local name pid i
  # The reverse of the start order: the pages and intake first, the broker last.
  for ((i = ${#roles[@]} - 1; i >= 0; i--)); do
    name=${roles[i]}
    running "$name" || { rm -f "$(pidfile "$name")"; continue; }
    pid=$(cat "$(pidfile "$name")")
    stop_pid "$name" "$pid" 30
    rm -f "$(pidfile "$name")"
    echo "stopped $name"
  done
  deploy/local/clickhouse.sh stop --dir "$dir/clickhouse" --port "$ch_port" >&2 || true
}

status() {
  local name rc=0
  for name in "${roles[@]}"; do
    if running "$name"; then
      echo "$name: running (pid $(cat "$(pidfile "$name")"))"
    else
      echo "$name: stopped"
      rc=3
    fi
  done
  return $rc
}

case $cmd in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "unknown command $cmd; usage: cluster.sh start|stop|status [--dir DIR]" ;;
esac
