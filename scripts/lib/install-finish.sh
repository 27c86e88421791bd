# shellcheck shell=bash
# install.sh's last stages: wait for /readyz, then the summary (the API, the
# token once, a first curl, the previews, where logs and settings are).

wait_ready() { # url
  local url=$1 cid restarts0 waited=0 state=""
  stage "waiting for sandboxd at $url/readyz (up to $timeout_s s)"
  cid="$(compose ps -q sandboxd)"
  restarts0="$(docker inspect -f '{{.RestartCount}}' "$cid" 2>/dev/null || echo 0)"
  while [ "$waited" -lt "$timeout_s" ]; do
    http_get "$url/readyz"
    [ "$http_code" != 200 ] || return 0
    # A daemon that exits at start (a bad setting) restarts in a loop: stop waiting.
    state="$(docker inspect -f '{{.State.Status}} {{.RestartCount}}' "$cid" 2>/dev/null || echo "missing 0")"
    case "${state% *}" in restarting|exited|dead|missing) break ;; esac
    [ "${state#* }" = "$restarts0" ] || break
    sleep 1
    waited=$((waited + 1))
  done
  echo "sandboxd is not ready (container: ${state:-unknown}; /readyz: $http_code ${http_body}); its last log lines:" >&2
  compose logs --tail 40 sandboxd >&2 || true
  die "sandboxd did not become ready. Fix the cause above (settings: $env_file), then run ./install.sh again"
}

print_summary() { # api url
  local api_url=$1 http_port domain tls scheme suffix compose_hint uninstall_hint token auth_h
  http_port="$(value_of HTTP_PORT)"
  domain="$(value_of PREVIEW_DOMAIN)"
  tls="$(setting PREVIEW_TLS)"
  case "$tls" in
    true|1|yes|on) scheme=https; suffix="" ;;
    *) scheme=http; suffix=":$http_port"; [ "$http_port" != 80 ] || suffix="" ;;
  esac
  compose_hint="${compose_cmd[*]} -p $COMPOSE_PROJECT_NAME"
  uninstall_hint="./uninstall.sh"
  [ "$COMPOSE_PROJECT_NAME" = sandboxed ] || uninstall_hint="COMPOSE_PROJECT_NAME=$COMPOSE_PROJECT_NAME $uninstall_hint"
  if [ "$env_file" != "$repo/.env" ]; then
    compose_hint="$compose_hint --env-file $env_file"
    uninstall_hint="$uninstall_hint --env-file $env_file"
  fi
  token="$(first_token || true)"
  auth_h=""
  [ -z "$token" ] || auth_h=' -H "Authorization: Bearer $TOKEN"'

  printf '\nsandboxed is ready (%d s): edge %s, data in %s, settings in %s\n\n' "$SECONDS" "$edge" "$data_dir" "$env_file"
  printf '  API        %s\n' "$api_url"
  if [ -z "$token" ]; then
    printf '  auth       OFF: anyone who can reach %s can use the API\n' "$api_url"
  elif $token_new; then
    # The only time the secret is shown; it stays in the settings file.
    printf '  token      TOKEN=%s\n' "$token"
    printf '             (shown once; it stays in %s as SANDBOXD_API_TOKENS, 0600)\n' "$env_file"
  else
    printf '  token      TOKEN=$(sed -n %s %s)\n' "'s/^SANDBOXD_API_TOKENS=[^:]*:\([^,]*\).*/\1/p'" "$env_file"
  fi
  printf '  try it     curl -s -X POST %s/v1/sandboxes%s -H %s -d %s\n' "$api_url" "$auth_h" \
    "'content-type: application/json'" "'{\"id\":\"demo\",\"ports\":[3000]}'"
  if [ "$edge" != none ]; then
    printf '  previews   %s://s-<id>-<port>.preview.%s%s/   (e.g. %s://s-demo-3000.preview.%s%s/)\n' \
      "$scheme" "$domain" "$suffix" "$scheme" "$domain" "$suffix"
  fi
  printf '  logs       cd %s && %s logs -f sandboxd\n' "$repo" "$compose_hint"
  printf '  health     %s\n' "${uninstall_hint/uninstall.sh/install.sh --check}"
  printf '  install    log of this run: %s\n' "$log_file"
  printf '  uninstall  %s   (keeps the data; --help for more)\n' "$uninstall_hint"
  if [ -z "$token" ]; then
    warn "the API has no token (--no-auth or an older settings file). To turn auth on:
      sed -i \"s/^SANDBOXD_API_TOKENS=.*/SANDBOXD_API_TOKENS=admin:\$(head -c 32 /dev/urandom | base64 | tr -d '=' | tr '+/' '-_')/\" $env_file && ./install.sh"
  fi
}
