# Targets beside deploy/local/*.sh: the fault suite and the benchmarks.
# Both need Debian's clickhouse-server (deploy/local/clickhouse.sh install)
# and the real test data ($CITYOPS_TESTDATA or ../shared/data beside the
# repository, docs/testdata.md).

GO ?= go

.PHONY: test fault bench

test:
	./deploy/local/test.sh

# The fault suite at full size: a million events through a processor
# kill -9, a broker restart, ClickHouse down 60 s, a flood of malformed
# records. It prints the table docs/performance.md quotes. Without -fault
# (as in `go test ./...`) the same scenarios run small.
fault:
	$(GO) test ./deploy/fault -fault -v -count=1 -timeout 60m

# The benchmarks (make bench PKG=./store BENCH=Insert for one); the figures
# of docs/performance.md come from these and from `cityops load`.
PKG ?= ./...
BENCH ?= .
bench:
	$(GO) test $(PKG) -run '^$$' -bench '$(BENCH)' -benchmem -timeout 60m
