#!/bin/sh
# The container image's command: `stockstream SERVICE [ARGS...]` (tini runs it as PID 1's child).
#   ingest replay FILE | ingest simulate [...]   the ingest service (services/ingest)
#   enrichment                                    the enrichment service
#   s3-sink                                       the S3 sink
#   query [--example all | --sql ...]             SQL over the lake (DuckDB)
#   catalog ddl | register                        the lake's Athena DDL / Glue table
#   healthcheck                                   exit 0 when GET /healthz answers 200 (the image's HEALTHCHECK)
#   node ... | any other command                  run as given
set -e
. /app/scripts/node-env.sh
cd /app
service=${1:-help}
case $service in
  ingest) shift; exec node services/ingest/dist/src/main.js "$@" ;;
  enrichment) shift; exec node services/enrichment/dist/src/main.js "$@" ;;
  s3-sink) shift; exec node services/s3-sink/dist/src/main.js "$@" ;;
  query) shift; exec node services/s3-sink/dist/src/query-main.js "$@" ;;
  catalog) shift; exec node services/s3-sink/dist/src/catalog-main.js "$@" ;;
  healthcheck)
    # HTTP_PORT as the service reads it; unset, the three services' default ports (whichever answers).
    exec node -e '
      const ports = process.env.HTTP_PORT ? [process.env.HTTP_PORT] : ["9101", "9102", "9103"];
      Promise.any(ports.map((p) => fetch(`http://127.0.0.1:${p}/healthz`, { signal: AbortSignal.timeout(3000) })
        .then((r) => (r.ok ? r : Promise.reject(new Error(`HTTP ${r.status}`))))))
        .then(() => process.exit(0), () => process.exit(1));' ;;
  help | --help | -h) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
  -*) exec node "$@" ;;
  *) exec "$@" ;;
esac
