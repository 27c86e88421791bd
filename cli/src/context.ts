/** What every command gets from the global options: the client and the output mode. */
import { Sandboxed, type WebSocketConstructor } from '@sandboxed/sdk';
import type { Command } from 'commander';
import { WebSocket } from 'ws';
import { resolveConnection, type Connection } from './config.js';

export interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

export interface Context {
  client: Sandboxed;
  connection: Connection;
  json: boolean;
}

export function context(cmd: Command): Context {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const connection = resolveConnection(opts, process.env);
  // ws's WebSocket (Node 20 has none of its own); it has the WHATWG surface the SDK uses.
  const client = new Sandboxed({ url: connection.url, token: connection.token, WebSocket: WebSocket as unknown as WebSocketConstructor });
  return { client, connection, json: opts.json === true };
}
