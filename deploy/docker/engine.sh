#!/usr/bin/env bash
# A Docker engine for the project's container tests and image builds.
#
#   engine.sh up | down | status | env
#
# `up` uses the engine DOCKER_HOST (or the default socket) points at when one
# answers; otherwise, as root, it installs Debian's docker.io, docker-compose
# and debootstrap when missing and starts a dockerd of its own: socket, data
# and pid file under STOCKSTREAM_DOCKER_DIR (default <repo>/.docker, git-ignored).
# `down` stops only an engine this script started (by its pid file).
# `env` prints the DOCKER_HOST line for the engine in use.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
STATE=$(realpath -m "${STOCKSTREAM_DOCKER_DIR:-$REPO/.docker}")
OWN_HOST=unix://$STATE/docker.sock
START_TIMEOUT=${DOCKER_START_TIMEOUT:-60}

say() { printf 'engine: %s\n' "$*" >&2; }
die() { printf 'engine: %s\n' "$*" >&2; exit 1; }

answers() { DOCKER_HOST=$1 timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

own_pid() { # the pid of the dockerd this script started, if it still runs
  local pid
  [[ -f $STATE/docker.pid ]] || return 1
  pid=$(<"$STATE/docker.pid")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--data-root=$STATE/data " || return 1
  echo "$pid"
}

# The engine to use: ours if it runs, else the caller's, else none.
current_host() {
  if own_pid >/dev/null && answers "$OWN_HOST"; then echo "$OWN_HOST"; return 0; fi
  local theirs=${DOCKER_HOST:-unix:///var/run/docker.sock}
  if [[ $theirs != "$OWN_HOST" ]] && answers "$theirs"; then echo "$theirs"; return 0; fi
  return 1
}

install_tools() {
  local pkgs=()
  command -v dockerd >/dev/null || pkgs+=(docker.io)
  command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || pkgs+=(docker-compose)
  command -v debootstrap >/dev/null || pkgs+=(debootstrap)
  ((${#pkgs[@]})) || return 0
  [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null \
    || die "Missing ${pkgs[*]} and not root with apt-get: install Docker (engine + compose) and debootstrap, or point DOCKER_HOST at a running engine."
  say "installing ${pkgs[*]} with apt-get (missing on this machine)"
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"; } >/dev/null \
    || die "apt-get install ${pkgs[*]} failed; install them by hand, then rerun."
}

cmd_up() {
  local host
  install_tools
  if host=$(current_host); then say "using the engine at $host"; return 0; fi
  [[ $(id -u) == 0 ]] || die "No Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock} and starting one needs root: start Docker (or set DOCKER_HOST), then rerun."
  mkdir -p "$STATE/data" "$STATE/exec"
  exec 9>"$STATE/.lock"; flock 9
  if own_pid >/dev/null && answers "$OWN_HOST"; then return 0; fi
  rm -f "$STATE/docker.pid" "$STATE/docker.sock"
  # setsid: the daemon must outlive the make/test process that started it until `down`.
  setsid dockerd --host="$OWN_HOST" --data-root="$STATE/data" --exec-root="$STATE/exec" \
    --pidfile="$STATE/docker.pid" >>"$STATE/dockerd.log" 2>&1 </dev/null 9>&- &
  local t0=$SECONDS
  until answers "$OWN_HOST"; do
    ((SECONDS - t0 < START_TIMEOUT)) || { tail -n 30 "$STATE/dockerd.log" >&2; die "dockerd did not answer within ${START_TIMEOUT}s (log: $STATE/dockerd.log)."; }
    sleep 0.5
  done
  say "started dockerd (pid $(<"$STATE/docker.pid"), data in $STATE/data) in $((SECONDS - t0))s"
}

cmd_down() {
  local pid i
  pid=$(own_pid) || { say "no engine of ours runs"; return 0; }
  kill -TERM "$pid"
  for i in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { say "dockerd still running after 30s, sending SIGKILL"; kill -KILL "$pid" || true; }
  rm -f "$STATE/docker.pid"
  # dockerd can leave its network namespace mounted in the exec root, which then cannot be deleted.
  awk -v s="$STATE/" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r | xargs -r umount -l 2>/dev/null || true
  say "stopped dockerd (pid $pid)"
}

cmd_status() {
  local host
  if host=$(current_host); then
    echo "engine: $host (server $(DOCKER_HOST=$host docker version --format '{{.Server.Version}}'))"
  else
    echo "engine: none answers"; return 3
  fi
}

cmd_env() {
  local host
  host=$(current_host) || die "No engine answers: run '$0 up' first."
  echo "export DOCKER_HOST=$host"
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) die "Usage: engine.sh up|down|status|env" ;;
esac
