#!/usr/bin/env bash
# `make test`: set-up, the local stack (started here if it is not running, and
# stopped again at the end), then every unit and integration test in one
# node:test run so its closing summary counts them all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/node-env.sh

stack=deploy/local/stack.sh
started_here=0
if [ "${STOCKSTREAM_EXTERNAL_STACK:-0}" = 1 ]; then
  echo "test: using the cluster the environment points at (KAFKA_BROKERS=${KAFKA_BROKERS:-unset})"
else
  if ! $stack status >/dev/null 2>&1; then
    started_here=1
    trap '$stack down || true' EXIT
  fi
  $stack up
  eval "$($stack env)"
fi
export STOCKSTREAM_DATASETS="${STOCKSTREAM_DATASETS:-$(cd .. && pwd)/shared/datasets}"

# Prometheus and promtool (Debian's package): the monitoring tests run the shipped config, rules and dashboards' queries.
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test: installing Debian's prometheus package (prometheus, promtool)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus; } >/dev/null \
      || { echo "test: apt-get install prometheus failed" >&2; exit 1; }
  else
    echo "test: prometheus/promtool missing and not root: the monitoring tests will fail until you run: sudo apt-get install prometheus" >&2
  fi
fi

# kustomize v5 (the Kubernetes manifest tests): kubectl's own, else a kustomize binary built once from the Go
# module proxy into the cache (Debian's kubectl is too old to embed v5).
if ! kubectl version --client -o json 2>/dev/null | grep -Eq '"kustomizeVersion": "v([5-9]|[1-9][0-9])' && ! command -v kustomize >/dev/null; then
  kbin="${STOCKSTREAM_CACHE:-$HOME/.cache/stockstream}/bin"
  if [ ! -x "$kbin/kustomize" ]; then
    command -v go >/dev/null || { echo "test: neither kubectl with kustomize v5 nor Go to build kustomize: install kubectl 1.27+ or kustomize v5" >&2; exit 1; }
    echo "test: building kustomize v5.5.0 from the Go module proxy into $kbin (once, ~1 min)"
    GOBIN="$kbin" go install sigs.k8s.io/kustomize/kustomize/v5@v5.5.0 || { echo "test: go install kustomize failed" >&2; exit 1; }
  fi
  export PATH="$kbin:$PATH"
fi

# Containers (deploy/test): a Docker engine, started here when none answers and
# stopped again at the end, and every image docker-compose.yml names, built
# without an image registry (deploy/docker/images.sh; ~5 min the first time,
# cached in .docker/ after). STOCKSTREAM_CONTAINER_TESTS=0 skips them (reported
# as skipped). Where no engine can be started (not root, no Docker) they are
# skipped with the reason, except in CI, where that fails the run.
engine=deploy/docker/engine.sh
engine_started_here=0
if [ "${STOCKSTREAM_CONTAINER_TESTS:-1}" = 0 ]; then
  export STOCKSTREAM_CONTAINERS_SKIP="STOCKSTREAM_CONTAINER_TESTS=0"
else
  $engine status >/dev/null 2>&1 || engine_started_here=1
  if $engine up; then
    if [ $engine_started_here = 1 ]; then
      if [ $started_here = 1 ]; then trap '$engine down || true; $stack down || true' EXIT; else trap '$engine down || true' EXIT; fi
    fi
    eval "$($engine env)"
    export TESTCONTAINERS_RYUK_DISABLED=true   # Ryuk's image cannot be pulled; the tests remove their containers themselves
    deploy/docker/images.sh build
  elif [ "${CI:-}" = true ]; then
    echo "test: no Docker engine could be started; the container tests cannot run" >&2; exit 1
  else
    engine_started_here=0
    export STOCKSTREAM_CONTAINERS_SKIP="no Docker engine could be started here (deploy/docker/engine.sh up said why above)"
    echo "test: $STOCKSTREAM_CONTAINERS_SKIP: the container tests will be reported as skipped" >&2
  fi
fi

files=$(find services/*/dist/test deploy/dist/test tools/*/dist/test -name '*.test.js' | sort)
[ -n "$files" ] || { echo "test: no compiled tests found under services/*/dist/test" >&2; exit 1; }
# Integration tests share one broker on 2 cores: run files one at a time.
status=0
node --test --test-concurrency=1 --test-timeout=600000 $files || status=$?
if [ $started_here = 1 ]; then echo "test: stopping the stack this run started"; fi
if [ $engine_started_here = 1 ]; then echo "test: stopping the Docker engine this run started"; fi
exit $status
