# One image for the three services (and the SQL and catalog tools); the command
# picks which: `docker run stockstream ingest simulate`, `... enrichment`,
# `... s3-sink`, `... query --example all`: the project's `stockstream` command
# (services/cli), which scripts/docker-entrypoint.sh runs.
# One image because the services share one library, one node_modules and the
# one native Kafka client: three images would build and ship it three times.
#
# The legacy builder builds it (no BuildKit-only syntax): Debian's Docker has no buildx.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# The native Kafka client is compiled here, from source and patched, as `make setup`
# does on a machine without its prebuilt binary (scripts/setup.sh,
# scripts/kafka-binding/README.md): containers run the code the tests run.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      python3 make g++ ca-certificates libssl-dev libsasl2-dev libzstd-dev liblz4-dev zlib1g-dev libcurl4-openssl-dev >/dev/null \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY services/common/package.json services/common/
COPY services/ingest/package.json services/ingest/
COPY services/enrichment/package.json services/enrichment/
COPY services/s3-sink/package.json services/s3-sink/
COPY services/cli/package.json services/cli/
COPY deploy/package.json deploy/
COPY tools/bench/package.json tools/bench/
COPY tools/chaos/package.json tools/chaos/
COPY scripts/setup.sh scripts/node-env.sh scripts/
COPY scripts/kafka-binding scripts/kafka-binding
# EXTRA_CA_CERTS: PEM roots to trust for the npm registry behind a TLS-inspecting
# proxy (leave empty on a plain internet connection); used by this step only,
# never kept in an image.
ARG EXTRA_CA_CERTS=""
RUN if [ -n "$EXTRA_CA_CERTS" ]; then printf '%s\n' "$EXTRA_CA_CERTS" >/tmp/extra-ca.pem; export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; fi \
 && npm_config_nodedir=/usr/local npm_config_build_from_source=true scripts/setup.sh --no-compile \
 && rm -f /tmp/extra-ca.pem
COPY schemas schemas
COPY services services
# /out: what the runtime image holds. Compiled code, production dependencies
# (a workspace may keep some in its own node_modules), schemas and reference
# data; no TypeScript sources, tests, benchmarks, or librdkafka's sources and objects.
RUN npx tsc -b services/cli \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error \
 && (cd node_modules/@confluentinc/kafka-javascript \
     && rm -rf deps src stockstream build/Release/obj.target build/deps/librdkafka build/deps/include build/deps/pkgconfig \
          build/deps/*.a build/deps/*.mk build/deps/*.Makefile build/deps/librdkafka.so build/deps/librdkafka++.so) \
 && mkdir -p /out/scripts \
 && cp -a package.json node_modules schemas /out/ \
 && cp scripts/node-env.sh /out/scripts/ \
 && for s in common ingest enrichment s3-sink cli; do \
      mkdir -p /out/services/$s/dist \
      && cp -a services/$s/package.json /out/services/$s/ \
      && cp -a services/$s/dist/src /out/services/$s/dist/ \
      && if [ -d services/$s/node_modules ]; then cp -a services/$s/node_modules /out/services/$s/; fi; \
    done \
 && cp -a services/enrichment/data /out/services/enrichment/ \
 && rm -f /out/node_modules/@stockstream/deploy /out/node_modules/@stockstream/bench /out/node_modules/@stockstream/chaos

FROM ${NODE_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      tini ca-certificates libssl3 libsasl2-2 libzstd1 liblz4-1 zlib1g libcurl4 >/dev/null \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production HTTP_HOST=0.0.0.0
COPY --from=build /out /app
COPY scripts/docker-entrypoint.sh /usr/local/bin/stockstream
# The commit the image was built from, for stockstream_build_info (images.sh passes it).
ARG GIT_COMMIT=unknown
ENV STOCKSTREAM_GIT_COMMIT=${GIT_COMMIT}
USER node
# Metrics and health: ingest 9101, enrichment 9102, s3-sink 9103 (HTTP_PORT).
EXPOSE 9101 9102 9103
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["stockstream", "healthcheck"]
# tini is PID 1: it forwards SIGTERM to the service and reaps it, and a service
# can end itself with SIGKILL (lifecycle/process-exit.ts), which PID 1 cannot.
ENTRYPOINT ["/usr/bin/tini", "--", "stockstream"]
CMD ["help"]
