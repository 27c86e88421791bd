/**
 * What a preview request for an admitted sandbox gets, decided purely from
 * whether its app is up, the edge's mode and the kind of client.
 */

export type WakeState = 'none' | 'in-flight' | 'failed';

export interface WakeFacts {
  /** The container runs and the port accepted a connection. */
  appUp: boolean;
  /** Built-in edge: true. Traefik's wake endpoint: false (Traefik proxies once its route exists). */
  canProxy: boolean;
  /** A page load (GET/HEAD accepting text/html), as opposed to fetch/curl/POST/WebSocket. */
  browser: boolean;
  wake: WakeState;
}

export type WakeDecision =
  | 'proxy'
  /** Answer the self-reloading page; the caller starts (or joins) the wake in the background. */
  | 'warming-page'
  /** Start (or join) the wake and keep the request until it ends. */
  | 'hold'
  /** The last wake failed: say so once instead of reloading forever. */
  | 'failed-page'
  /** 503 + Retry-After: the app is up but Traefik has no route yet. */
  | 'retry-later';

export function decideWake(f: WakeFacts): WakeDecision {
  if (f.appUp) {
    if (f.canProxy) return 'proxy';
    return f.browser ? 'warming-page' : 'retry-later';
  }
  if (!f.browser) return 'hold';
  return f.wake === 'failed' ? 'failed-page' : 'warming-page';
}

/** What to do once a held request's wake ended. */
export function afterHold(ok: boolean, canProxy: boolean): 'proxy' | 'retry-later' | 'failed' {
  if (!ok) return 'failed';
  return canProxy ? 'proxy' : 'retry-later';
}

export function isBrowserNavigation(method: string | undefined, accept: string | undefined): boolean {
  return (method === 'GET' || method === 'HEAD') && (accept ?? '').includes('text/html');
}
