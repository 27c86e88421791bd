/**
 * The WebSocket the terminal uses: the one given to `new Sandboxed()`, else
 * the platform's (browsers, Node ≥ 22), else the `ws` package (Node 20 has no
 * WebSocket of its own; `npm install ws`). Only the WHATWG surface is used.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly protocol: string;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export async function resolveWebSocket(given: WebSocketConstructor | undefined): Promise<WebSocketConstructor> {
  if (given) return given;
  const platform = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (platform) return platform;
  // A name in a variable: bundlers for browsers leave it alone (browsers never get here).
  const name = 'ws';
  try {
    const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as { WebSocket?: WebSocketConstructor; default?: WebSocketConstructor };
    const ws = mod.WebSocket ?? mod.default;
    if (ws) return ws;
  } catch {
    /* not installed */
  }
  throw new Error('this runtime has no WebSocket (Node 20): `npm install ws`, or pass one as new Sandboxed({ WebSocket })');
}

/** HTTP token characters (RFC 9110 tchar): a secret made of them fits in a Sec-WebSocket-Protocol entry. */
const TCHAR = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * The URL and subprotocols of a WebSocket handshake carrying the API token. A
 * browser cannot set Authorization on a WebSocket: the token goes as a
 * `sandboxed.token.<secret>` subprotocol (never echoed back), or, when it has
 * characters a subprotocol cannot hold, as `?token=` (the daemon redacts it from its logs).
 */
export function handshake(httpUrl: string, subprotocol: string, token: string | undefined): { url: string; protocols: string[] } {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const protocols = [subprotocol];
  if (token !== undefined && token !== '') {
    if (TCHAR.test(token)) protocols.push(`sandboxed.token.${token}`);
    else url.searchParams.set('token', token);
  }
  return { url: url.toString(), protocols };
}
