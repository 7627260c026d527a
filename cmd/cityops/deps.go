package main

// The fixed libraries, held in go.mod while the stages that use them are
// being written.
import (
	_ "github.com/ClickHouse/clickhouse-go/v2"
	_ "github.com/expr-lang/expr"
	_ "github.com/gorilla/websocket"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "go.yaml.in/yaml/v3"
)
