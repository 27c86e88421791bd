/**
 * What runs behind a sandbox's port, asked inside the container with one
 * short exec (as the sandbox user): the in-sandbox supervisor's own list of
 * what it runs (images/base/sandboxed-init writes /run/sandboxed/desired, the
 * default `dev` script included), each service's state, and the listening
 * sockets. Only a held request whose app is not up asks, at most once a
 * second per sandbox port (the wake is shared), never the proxy path.
 */
import type { ContainerEngine } from '../docker/engine.js';
import type { Sandbox } from '../domain/sandbox.js';
import { parsePortFacts, type PortFacts } from './port-decide.js';

const SCRIPT = `R=/run/sandboxed
if [ -r $R/desired ]; then cat $R/desired; else echo '#none'; fi
for d in $R/svc/*/; do [ -r "\${d}state" ] || continue; n=\${d%/}; n=\${n##*/}; read -r st _ <"\${d}state"; echo "#state $n $st"; done
for f in /proc/net/tcp /proc/net/tcp6; do [ -r $f ] || continue; while read -r _ l _ s _; do [ "$s" = 0A ] && echo "#listen $l"; done <$f; done
exit 0`;

const CHECK_TIMEOUT_S = 5;
/** A few services and listeners take a few hundred bytes; more is cut (and parsed as far as it goes). */
const CHECK_OUTPUT_LIMIT = 64 * 1024;

export type PortCheck = (sb: Sandbox, port: number) => Promise<PortFacts | null>;

/** Null when the check could not run (the container is going away): the caller keeps waiting as before. */
export function execPortCheck(engine: Pick<ContainerEngine, 'exec'>): PortCheck {
  return async (sb, port) => {
    if (!sb.containerId) return null;
    try {
      const r = await engine.exec(sb.containerId, { cmd: ['sh', '-c', SCRIPT], timeoutS: CHECK_TIMEOUT_S, outputLimitBytes: CHECK_OUTPUT_LIMIT });
      if (r.exitCode !== 0) return null;
      return parsePortFacts(r.stdout, port);
    } catch {
      return null;
    }
  };
}
