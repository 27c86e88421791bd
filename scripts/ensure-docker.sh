#!/usr/bin/env bash
# Makes a Docker engine answer on this machine: installs Debian's docker.io and
# starts dockerd in the background when `docker info` fails. Used by .ci/run;
# operators with a running engine never need it.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  echo "docker: engine answers ($(docker version --format '{{.Server.Version}}'))"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker: installing Debian's docker.io"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq docker.io iptables >/dev/null
fi

echo "docker: starting dockerd in the background (log: /tmp/dockerd.log)"
$SUDO sh -c 'nohup dockerd >/tmp/dockerd.log 2>&1 &'
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "docker: engine answers ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 1
done
echo "docker: dockerd did not come up within 60 s; last log lines:" >&2
tail -n 30 /tmp/dockerd.log >&2 || true
exit 1
