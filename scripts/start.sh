#!/usr/bin/env bash
# `npm start`: installs dependencies and the sandbox image when missing, then
# runs sandboxd in the foreground. Settings come from the environment and, if
# present, ./.env (see .env.example).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .env ]; then set -a; . ./.env; set +a; fi
[ -d node_modules ] || npm ci --no-audit --no-fund
image="${SANDBOXD_IMAGE:-sandboxed/sandbox:latest}"
if ! docker image inspect "$image" >/dev/null 2>&1; then
  echo "sandbox image $image is missing; building it (images/build.sh)"
  bash images/build.sh
fi
exec node --import tsx src/main.ts
