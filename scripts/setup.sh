#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: npm packages (building
# the native Kafka client against system libraries when no prebuilt binary can
# be downloaded) and compiles the TypeScript. Idempotent and fast when done.
#   setup.sh [--no-compile]   (--no-compile: packages only; the Dockerfile compiles after copying the sources)
set -euo pipefail
compile=1
[ "${1:-}" = --no-compile ] && compile=0
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }

command -v node >/dev/null || { echo "setup: Node.js 20+ is required: install it (e.g. apt-get install nodejs npm) and run again." >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "setup: Node.js 20+ is required, found $(node --version): upgrade Node and run again." >&2; exit 1; }

# librdkafka's build needs these headers when the prebuilt binary cannot be fetched.
need_pkgs=()
for p in libssl-dev libsasl2-dev libzstd-dev liblz4-dev zlib1g-dev libcurl4-openssl-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done

stamp=node_modules/.stockstream-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ] \
   || [ ! -f node_modules/@confluentinc/kafka-javascript/build/Release/confluent-kafka-javascript.node ]; then
  if [ ${#need_pkgs[@]} -gt 0 ] && command -v apt-get >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      say "installing build packages for librdkafka: ${need_pkgs[*]}"
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}"; } >/dev/null \
        || { echo "setup: apt-get install ${need_pkgs[*]} failed; install them by hand and run again." >&2; exit 1; }
    else
      say "warning: missing ${need_pkgs[*]}; if the Kafka client must be built here, run: sudo apt-get install -y ${need_pkgs[*]}"
    fi
  fi
  say "installing npm packages (the native Kafka client may take ~2 minutes to build)"
  # dynamic linking: build the bundled librdkafka against the system libraries instead of downloading their sources.
  # A fresh tree gets `npm ci`; an existing one `npm install`, which keeps the already-built native client.
  if [ -d node_modules/@confluentinc/kafka-javascript/build/Release ]; then
    CKJS_LINKING=dynamic npm install --no-audit --no-fund --loglevel=error
  else
    CKJS_LINKING=dynamic npm ci --no-audit --no-fund --loglevel=error
  fi
  touch "$stamp"
fi

# A native Kafka client built from source here (not a downloaded prebuilt one) gets speed patches
# (scripts/kafka-binding/README.md): ~10-30 s once. If the patched build does not compile, the client is
# built from its own sources instead and one line says so; only an unpatched build failing stops here.
binding=node_modules/@confluentinc/kafka-javascript
if [ -d "$binding/build/Release/obj.target" ]; then
  node scripts/kafka-binding/build.mjs "$binding" || exit 1
fi
[ $compile = 0 ] || npx tsc -b
