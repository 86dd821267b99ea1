# One image for every service; the command picks the service.
# On machines with internet the native Kafka client installs from its prebuilt binary.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY services/common/package.json services/common/
COPY services/ingest/package.json services/ingest/
COPY services/enrichment/package.json services/enrichment/
RUN npm ci --no-audit --no-fund
COPY schemas schemas
COPY services services
RUN npx tsc -b && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# The Node settings of scripts/node-env.sh (why: see there).
ENV NODE_ENV=production HTTP_HOST=0.0.0.0 NODE_OPTIONS=--max-semi-space-size=64 UV_THREADPOOL_SIZE=8
COPY --from=build /app /app
USER node
ENTRYPOINT ["node"]
CMD ["services/ingest/dist/src/main.js", "simulate"]
