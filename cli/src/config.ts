/**
 * Where the CLI finds the API and its token, first found wins: the flags
 * (`--url`, `--token`), the environment (`SANDBOXED_URL`, `SANDBOXED_TOKEN`),
 * the config file (`$SANDBOXED_CONFIG`, else `$XDG_CONFIG_HOME/sandboxed/config.json`,
 * else `~/.config/sandboxed/config.json`: `{"url": "…", "token": "…"}`), then
 * `http://localhost:9090` without a token.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const DEFAULT_URL = 'http://localhost:9090';

export interface Connection {
  url: string;
  token: string | undefined;
  /** Where each came from, for `sandboxed config`. */
  from: { url: string; token: string };
}

export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.SANDBOXED_CONFIG) return env.SANDBOXED_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'sandboxed', 'config.json');
}

function readConfig(file: string): { url?: string; token?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message})`, { cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${file}: must be a JSON object {"url", "token"}`);
  const { url, token } = parsed as Record<string, unknown>;
  if (url !== undefined && typeof url !== 'string') throw new Error(`${file}: url must be a string`);
  if (token !== undefined && typeof token !== 'string') throw new Error(`${file}: token must be a string`);
  return { url, token };
}

export function resolveConnection(flags: { url?: string; token?: string }, env: NodeJS.ProcessEnv): Connection {
  const file = configPath(env);
  const config = readConfig(file);
  const pick = (flag: string | undefined, envName: string, fromFile: string | undefined, fallback: string | undefined) => {
    if (flag) return { value: flag, from: 'flag' };
    if (env[envName]) return { value: env[envName], from: `env ${envName}` };
    if (fromFile) return { value: fromFile, from: file };
    return { value: fallback, from: 'default' };
  };
  const url = pick(flags.url, 'SANDBOXED_URL', config.url, DEFAULT_URL);
  const token = pick(flags.token, 'SANDBOXED_TOKEN', config.token, undefined);
  const value = url.value ?? DEFAULT_URL;
  if (!/^https?:\/\//.test(value)) throw new Error(`the API URL must start with http:// or https:// (got ${JSON.stringify(value)} from ${url.from})`);
  return { url: value, token: token.value, from: { url: url.from, token: token.value === undefined ? 'none' : token.from } };
}
