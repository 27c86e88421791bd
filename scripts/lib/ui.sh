# shellcheck shell=bash
# What install.sh shows: one line per stage with the elapsed time, a live step
# counter for the long builds, and the tools' own output in a log file whose
# tail (with the likely cause) is shown when a step fails.
# Expects $log_file (where the tools' output goes; created on first use).

SECONDS=0
stage() { printf '==> %s (%d s)\n' "$*" "$SECONDS"; }
note() { printf '    %s\n' "$*"; }
warn() { printf '    WARNING: %s\n' "$*" >&2; }
die() { printf '\ninstall.sh: %s\n' "$*" >&2; exit 1; }

# Copies the tool output on stdin to the screen as "LABEL: step N/M, T s", read
# from docker build's "Step N/M" lines: redrawn in place each second at a
# terminal, a line at most every 30 s elsewhere (CI logs, pipes).
progress() { # label, start (SECONDS)
  local label=$1 t0=$2 line step="" tty=false last=-30 msg
  [ -t 1 ] && tty=true
  while :; do
    if IFS= read -r -t 1 line; then
      [[ $line =~ ^Step\ ([0-9]+/[0-9]+) ]] && step=${BASH_REMATCH[1]}
    elif [ $? -le 128 ]; then
      break # end of input (a timeout returns more than 128)
    fi
    [ -n "$step" ] || continue
    msg="$label: step $step, $((SECONDS - t0)) s"
    if $tty; then
      printf '\r\033[K    %s' "$msg"
    elif [ $((SECONDS - last)) -ge 30 ]; then
      printf '    %s\n' "$msg"
      last=$SECONDS
    fi
  done
  if $tty && [ -n "$step" ]; then printf '\r\033[K'; fi
  return 0
}

# Runs a command with its output in the log and the progress on the screen. On
# failure: the last 40 lines of its output, the likely cause, and exit.
run_logged() { # label, command...
  local label=$1 from rc t0=$SECONDS
  shift
  if [ -z "${log_started:-}" ]; then
    # One log per run: the tools' output of this run only.
    mkdir -p "$(dirname "$log_file")"
    : >"$log_file"
    log_started=1
  fi
  from=$(( $(wc -l <"$log_file") + 1 ))
  printf '\n--- %s (%s): %s\n' "$label" "$(date -u +%FT%TZ)" "$*" >>"$log_file"
  set +e
  "$@" 2>&1 </dev/null | tee -a "$log_file" | progress "$label" "$t0"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -eq 0 ]; then
    note "$label: done in $((SECONDS - t0)) s"
    return 0
  fi
  printf '\n%s failed (exit %d). Its last lines (all of it: %s):\n' "$label" "$rc" "$log_file" >&2
  tail -n +"$from" "$log_file" | tail -n 40 | sed 's/^/  | /' >&2
  local cause
  cause="$(tail -n +"$from" "$log_file" | likely_cause)"
  die "$label failed.${cause:+ Likely cause: $cause}"
}

# The usual reasons a build step fails, from the tools' own error lines.
likely_cause() {
  local text
  text="$(cat)"
  if grep -qiE 'SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY_LEAF|local issuer certificate|certificate verify failed|self[- ]signed certificate|x509: certificate|CERT_UNTRUSTED' <<<"$text"; then
    echo "a TLS certificate is not trusted (a TLS-inspecting proxy?). Give install.sh the proxy's CA as a PEM file:
  SANDBOXED_EXTRA_CA_CERTS=/path/to/ca.pem ./install.sh   (or NODE_EXTRA_CA_CERTS, or put it in /usr/local/share/ca-certificates)"
  elif grep -qiE 'no space left on device|ENOSPC|not enough free space' <<<"$text"; then
    echo "the disk is full. Free space where Docker keeps images ($(docker info -f '{{.DockerRootDir}}' 2>/dev/null || echo /var/lib/docker)): docker system prune, or remove old images"
  elif grep -qiE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|Temporary failure resolving|Could not resolve|Failed to fetch|network is unreachable|i/o timeout|TLS handshake timeout|no such host|connection refused' <<<"$text"; then
    echo "a registry or mirror does not answer. Without a container registry: ./install.sh --offline
  (the npm registry and a Debian mirror are still needed; behind a proxy, set HTTP_PROXY/HTTPS_PROXY for Docker)"
  fi
}
