# StockStream: the two commands are `make demo` and `make test`; everything
# else is a building block they use.
SHELL := /bin/bash
.DEFAULT_GOAL := help
STACK := deploy/local/stack.sh

.PHONY: help setup build demo test unit-test chaos chaos-short up down status clean-stack images bench bench-ingest bench-enrichment bench-sink bench-sink-recovery config-table metrics-table clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: ## install npm packages (and build deps when needed), compile
	@scripts/setup.sh

build: setup ## compile all workspaces (tsc -b)

demo: ## run the pipeline end to end on the local stack and print what arrived
	@scripts/demo.sh

test: ## all tests: unit + integration on the real local stack
	@scripts/test.sh

unit-test: setup ## unit tests only (no stack needed)
	@node --test $$(find services/*/dist/test/unit tools/*/dist/test/unit -name '*.test.js' | sort)

chaos: ## 1M records through the pipeline under SIGKILLs, broker/registry/S3 outages and a rebalance; exact lake and DLQ (SEED=N replays)
	@scripts/chaos.sh $(if $(SEED),--seed $(SEED))

chaos-short: ## the same in 100k records and one fault of each kind (what make test runs)
	@scripts/chaos.sh --short $(if $(SEED),--seed $(SEED))

up: ## start Kafka, the schema registry and S3 natively on 127.0.0.1
	@$(STACK) up

down: ## stop what `make up` started
	@$(STACK) down

status: ## show the local stack
	@$(STACK) status

clean-stack: ## stop the stack and wipe its data and logs
	@$(STACK) clean

images: ## build every image docker-compose.yml names without an image registry (starts a Docker engine if none answers)
	@deploy/docker/engine.sh up && deploy/docker/images.sh build

bench: setup ## one report of the whole pipeline vs its ceilings, into bench-results/ (BENCH_ARGS="--help")
	@scripts/bench.sh report $(BENCH_ARGS)

bench-ingest: setup ## ingest throughput vs. the raw producer ceiling, same broker, same run
	@scripts/bench.sh ingest

bench-enrichment: setup ## enrichment throughput, exactly-once vs at-least-once vs the copy ceiling
	@scripts/bench.sh enrichment

bench-sink: setup ## sink records/s, 1M records end to end, query latency over 100k and 10M-row lakes
	@scripts/bench.sh s3-sink

bench-sink-recovery: setup ## sink start to recovered, lakes of 10^4..10^6 objects (BENCH_ARGS="--objects 10000 --sink ...")
	@scripts/bench.sh sink-recovery $(BENCH_ARGS)

config-table: setup ## print the configuration table of every service (for README.md)
	@node scripts/print-config-table.mjs

metrics-table: setup ## print the table of every metric the services export (for docs/observability.md)
	@node scripts/print-metrics-table.mjs

clean: ## remove build output
	@npx tsc -b --clean || true
