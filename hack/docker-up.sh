#!/usr/bin/env bash
# Makes sure a Docker engine answers: returns at once if `docker info` works, otherwise starts
# dockerd (Debian's docker.io) in the background, logging to a file, and waits until it
# answers. Idempotent. Needs root (or sudo) to start the daemon.
#   KUBEHEAL_DOCKER_LOG   dockerd's log (default ~/.cache/kubeheal/run/dockerd.log)
#   KUBEHEAL_DOCKER_WAIT  seconds to wait for the engine (default 60)
set -euo pipefail
run_dir=${KUBEHEAL_RUN_DIR:-$HOME/.cache/kubeheal/run}
log=${KUBEHEAL_DOCKER_LOG:-$run_dir/dockerd.log}
wait_seconds=${KUBEHEAL_DOCKER_WAIT:-60}

if docker info >/dev/null 2>&1; then
  exit 0
fi
command -v dockerd >/dev/null || {
  echo "docker-up: dockerd not found; install Debian's docker.io (hack/install-deps.sh)" >&2
  exit 1
}
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "docker-up: need root to start dockerd" >&2; exit 1; }
  sudo=sudo
fi
mkdir -p "$(dirname "$log")"
pidfile=/var/run/docker.pid
if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "docker-up: dockerd (pid $(cat "$pidfile")) is starting; waiting" >&2
else
  echo "docker-up: starting dockerd, log in $log" >&2
  # setsid: the daemon outlives this script and the CI step that ran it.
  $sudo setsid dockerd --pidfile "$pidfile" >>"$log" 2>&1 </dev/null &
fi
for ((i = 0; i < wait_seconds * 2; i++)); do
  if docker info >/dev/null 2>&1; then
    echo "docker-up: engine ready ($(docker version --format '{{.Server.Version}}' 2>/dev/null))" >&2
    exit 0
  fi
  sleep 0.5
done
echo "docker-up: dockerd did not answer within ${wait_seconds}s; last lines of $log:" >&2
tail -n 20 "$log" >&2
exit 1
