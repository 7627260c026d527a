#!/usr/bin/env bash
# dev.sh [cityops dev flags]: runs the whole system on this machine. It starts
# a private ClickHouse server (installing Debian's package the first time),
# builds cityops and runs `cityops dev`: the embedded Kafka broker, the
# processor, the ClickHouse sink, the web server with the live map on
# http://localhost:8080 and the simulator. Ctrl-C stops it; the ClickHouse
# server keeps running (deploy/local/clickhouse.sh stop stops it). It also
# starts a private MQTT broker (deploy/local/mosquitto.sh) for device
# readings; cityops dev runs without MQTT intake when it cannot.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${CITYOPS_DATA_DIR:-./.cityops}
deploy/local/clickhouse.sh start --dir "$data/clickhouse"
deploy/local/mosquitto.sh start --dir "$data/mosquitto" ||
  echo "dev.sh: no MQTT broker; cityops dev runs without MQTT intake" >&2
go build -o "$data/bin/cityops" ./cmd/cityops
exec "$data/bin/cityops" dev --data-dir "$data" "$@"
