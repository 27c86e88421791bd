#!/usr/bin/env bash
# Makes a Docker engine answer on this machine without asking: installs
# Debian's docker.io when missing and starts the engine (systemd, OpenRC, or
# dockerd in the background where there is no init system). Used by .ci/run;
# install.sh does the same after asking (scripts/lib/docker-setup.sh).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/lib/docker-setup.sh
. "$repo/scripts/lib/docker-setup.sh"

docker_plan --engine-only
if [ ${#plan_why[@]} -eq 0 ]; then
  echo "docker: engine answers ($(docker_server_version))"
  exit 0
fi
printf 'docker: %s\n' "${plan_why[@]}"
if [ ${#plan[@]} -eq 0 ] || ! $plan_auto; then
  echo "docker: run these as root:" >&2
  print_plan >&2
  exit 1
fi
print_plan
# iptables: the isolation tests and sandboxd's chains use the host's.
plan=("${plan[@]/docker.io/docker.io iptables}")
quiet() { # label, command...
  echo "docker: $1"
  shift
  "$@" >/tmp/ensure-docker.log 2>&1 || { tail -n 30 /tmp/ensure-docker.log >&2; return 1; }
}
if docker_apply quiet; then
  echo "docker: engine answers ($(docker_server_version))"
  exit 0
fi
echo "docker: the engine did not come up; last log lines:" >&2
tail -n 30 /var/log/dockerd.log >&2 || true
exit 1
