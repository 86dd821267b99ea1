#!/bin/sh
# The container image's `stockstream` (tini runs it as PID 1's child): the
# project's command, services/cli (`stockstream --help` lists its commands:
# ingest, enrichment, s3-sink, query, catalog, healthcheck, ...), run with the
# Node settings of scripts/node-env.sh.
# A first word that is a program of the image (node, sh, ...) or a path runs
# as given instead: Kubernetes init containers run `sh -c ...` through here,
# and `docker compose run SERVICE node ...` the report scripts.
set -e
. /app/scripts/node-env.sh
cd /app
case ${1:-} in
  '' | -*) ;;
  */*) exec "$@" ;;
  *) case $(command -v "$1" || true) in /*) exec "$@" ;; esac ;;
esac
exec node /app/services/cli/dist/src/stockstream.js "$@"
