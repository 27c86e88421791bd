/**
 * Keys that never enter the sandbox. Both real agent CLIs run through the
 * model gateway against the scripted model server, which sees the real key;
 * inside the sandbox the environment, every process's environ, the files
 * and the agent's config hold only the capability. The capability works only
 * from its own sandbox and only while its task runs; a forged one, the real
 * key and other paths are refused; a budget stops a task. Secrets are sealed
 * at rest and appear in no log, API answer or docker inspect.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { nodeIn, POST_SCRIPT, shIn } from '../helpers/sandbox-node.js';
import { until } from '../helpers/wait.js';

const docker = new Docker();
let d: TestDaemon;
let model: ModelServer;
let gatewayUrl: string;
const KEY = `sk-real-${uniqueId()}`;
const ENV_SECRET = `env-secret-${uniqueId()}`;
const a = uniqueId('gw-a');
const b = uniqueId('gw-b');
const BODY = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });

const fields = (agent: 'opencode' | 'claude-code') =>
  agent === 'opencode'
    ? { agent, model: 'scripted-model', base_url: `${model.hostUrl}/v1`, env: { OPENAI_API_KEY: KEY } }
    : { agent, model: 'claude-sonnet-4-5', base_url: model.hostUrl, env: { ANTHROPIC_API_KEY: KEY } };
const prompt = (file: string) => `Create the file. FILE=/home/sandbox/workspace/app/${file} CONTENT=x`;

async function waitEnded(id: string, taskId: string): Promise<any> {
  return until(async () => {
    const t = (await d.api('GET', `/v1/sandboxes/${id}/tasks/${taskId}`)).body;
    return !['queued', 'running'].includes(t.status) && t;
  }, `task ${taskId} to end`);
}

/**
 * Everything a process in the sandbox can read about itself and its neighbours, and the paths of
 * files holding the key. The key is searched for in two halves joined by the shell, so this very
 * command's cmdline does not carry it.
 */
async function sandboxView(id: string): Promise<string> {
  const half = KEY.length >> 1;
  return shIn(
    d,
    id,
    'env; for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do tr "\\0" "\\n" < "$f" 2>/dev/null; done; ' +
      `A='${KEY.slice(0, half)}'; B='${KEY.slice(half)}'; ` +
      'grep -rIl --exclude-dir=node_modules -e "$A$B" /home/sandbox /tmp /etc/sandboxed /run 2>/dev/null | sed "s/^/HOLDS-KEY /"; echo end',
  );
}

beforeAll(async () => {
  model = await startModelServer();
  d = await startTestDaemon();
  // Room for the agent and the probes run beside it (node scripts) without the OOM killer picking one.
  expect((await d.api('POST', '/v1/sandboxes', { id: a, env: { APP_SECRET: ENV_SECRET }, memory_mb: 1536 })).status).toBe(201);
  expect((await d.api('POST', '/v1/sandboxes', { id: b })).status).toBe(201);
  const net = await docker.getNetwork(d.network).inspect();
  gatewayUrl = `http://${net.IPAM!.Config![0].Gateway!}:${d.env.SANDBOXD_GATEWAY_PORT}`;
});

afterAll(async () => {
  await d?.dispose();
  await model?.close();
});

describe.each(['opencode', 'claude-code'] as const)('%s through the gateway', (agent) => {
  it('completes while the provider sees the real key and the sandbox holds only the capability, which dies with the task', async () => {
    const hold = model.holdFinal();
    const before = model.requests.length;
    let capability: string;
    try {
      const r = await d.api('POST', `/v1/sandboxes/${a}/tasks`, { prompt: prompt(`${agent}.txt`), ...fields(agent) });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ key_in_sandbox: false, usage: { input_tokens: expect.any(Number) } });
      await hold.held;

      // Mid-task: env, every process's environ and cmdline, and the files hold no key.
      const view = await sandboxView(a);
      expect(view).not.toContain(KEY);
      expect(view.trim().endsWith('end')).toBe(true);
      expect(view.split('\n').filter((l) => l.startsWith('HOLDS-KEY'))).toEqual([]);
      capability = /sbx-cap-[0-9a-z]{26}-[A-Za-z0-9_-]{43}/.exec(view)![0];
      // The agent's own config (OpenCode: OPENCODE_CONFIG_CONTENT) names the gateway and the capability.
      if (agent === 'opencode') expect(view).toMatch(new RegExp(`"baseURL":"${gatewayUrl}","apiKey":"${capability}"`));
      else expect(view).toContain(`ANTHROPIC_BASE_URL=${gatewayUrl}`);
      const inspect = JSON.stringify(await docker.getContainer(`s-${a}`).inspect());
      expect(inspect).not.toContain(KEY);
      expect(inspect).not.toContain(ENV_SECRET);
      // At rest the task's key is sealed: no file of the state dir holds it.
      const stateDir = path.join(d.dataDir, 'state');
      for (const f of readdirSync(stateDir)) expect(readFileSync(path.join(stateDir, f)).includes(KEY)).toBe(false);

      // The capability works from its own sandbox (a real model call), not from B.
      expect(await nodeIn(d, a, POST_SCRIPT, [`${gatewayUrl}/v1/messages`, capability, BODY])).toMatch(/^200 /);
      expect(await nodeIn(d, b, POST_SCRIPT, [`${gatewayUrl}/v1/messages`, capability, BODY])).toMatch(/^403 .*outside the task's sandbox/);
      // Only model calls: other provider endpoints are not reachable with the operator's key.
      expect(await nodeIn(d, a, POST_SCRIPT, [`${gatewayUrl}/v1/files`, capability, BODY])).toMatch(/^404 .*not a model call/);
    } finally {
      hold.release();
    }
    const taskId = /sbx-cap-([0-9a-z]{26})-/.exec(capability!)![1];
    const task = await waitEnded(a, taskId);
    expect(task, JSON.stringify(task)).toMatchObject({ status: 'succeeded' });
    // The provider saw the real key on every call of this task, never the capability.
    const calls = model.requests.slice(before);
    expect(calls.length).toBeGreaterThan(1);
    for (const c of calls) expect(c.apiKey === KEY || c.authorization === `Bearer ${KEY}`).toBe(true);
    expect(JSON.stringify(calls)).not.toContain('sbx-cap-');
    // Usage came from the gateway: the result's usage is what the scripted server reported, per call.
    expect(task.result.usage.input_tokens).toBeGreaterThanOrEqual(120 * 2);
    expect(task.usage).toEqual(task.result.usage);

    // Revoked with the task, from its own sandbox too.
    expect(await nodeIn(d, a, POST_SCRIPT, [`${gatewayUrl}/v1/messages`, capability, BODY])).toMatch(/^401 .*revoked/);
  });
});

describe('forged and stolen credentials at the gateway', () => {
  it('refuses a forged capability, the real key and nothing at all; the neighbour and the daemon are unaffected', async () => {
    const forged = `sbx-cap-${'0'.repeat(26)}-${'A'.repeat(43)}`;
    for (const key of [forged, KEY, '']) {
      expect(await nodeIn(d, b, POST_SCRIPT, [`${gatewayUrl}/v1/messages`, key, BODY])).toMatch(/^401 /);
    }
    // A host process that is not a sandbox cannot use the gateway either (no sandbox has its address).
    const r = await fetch(`${gatewayUrl}/v1/messages`, { method: 'POST', headers: { 'x-api-key': forged }, body: BODY });
    expect(r.status).toBe(401);
    expect((await d.api('GET', '/readyz')).status).toBe(200);
    expect(d.log()).not.toContain(KEY);
    expect(d.log()).not.toContain(ENV_SECRET);
  });
});

describe('budgets', () => {
  it('a task over max_tokens_total is refused its next call and ends failed with reason budget', async () => {
    const r = await d.api('POST', `/v1/sandboxes/${b}/tasks`, { prompt: prompt('budget.txt'), max_tokens_total: 100, ...fields('claude-code') });
    expect(r.status).toBe(202);
    expect(r.body.max_tokens_total).toBe(100);
    const task = await waitEnded(b, r.body.id);
    expect(task).toMatchObject({ status: 'failed' });
    expect(task.error).toMatch(/^budget: the task used \d+ tokens of its max_tokens_total 100$/);
    // Every call that reached the provider was counted; the one over budget never left the gateway.
    expect(task.result.usage.input_tokens + task.result.usage.output_tokens).toBeGreaterThanOrEqual(100);
    await d.waitForLog('model call refused: over budget');
  });

  it('budgets need the gateway, and bad values are refused', async () => {
    const post = (body: unknown) => d.api('POST', `/v1/sandboxes/${b}/tasks`, body);
    expect((await post({ prompt: 'x', ...fields('claude-code'), key_in_sandbox: true, max_cost_usd: 1 })).status).toBe(400);
    expect((await post({ prompt: 'x', ...fields('claude-code'), max_tokens_total: 0 })).status).toBe(400);
    expect((await post({ prompt: 'x', agent: 'opencode', model: 'openrouter/x' })).body.error).toMatch(/key_in_sandbox/);
  });
});

describe('daily budget per API token', () => {
  it("stops the token's tasks once its day is spent; another token's task runs", async () => {
    const d3 = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: 'app1:secret-one,app2:secret-two', SANDBOXD_BUDGET_TOKEN_DAILY_TOKENS: '250' } });
    try {
      const as = (token: string) => ({ authorization: `Bearer ${token}` });
      const id = uniqueId('gw-t');
      expect((await d3.api('POST', '/v1/sandboxes', { id }, as('secret-one'))).status).toBe(201);
      const run = async (token: string, file: string): Promise<any> => {
        const r = await d3.api('POST', `/v1/sandboxes/${id}/tasks`, { prompt: prompt(file), ...fields('claude-code') }, as(token));
        expect(r.status).toBe(202);
        return until(async () => {
          const t = (await d3.api('GET', `/v1/sandboxes/${id}/tasks/${r.body.id}`, undefined, as(token))).body;
          return !['queued', 'running'].includes(t.status) && t;
        }, 'the task to end');
      };
      // Each scripted call reports 150 tokens and a task makes two: app1's first task starts both
      // calls under 250; its second task finds the day spent at its first call.
      expect(await run('secret-one', 't1.txt')).toMatchObject({ status: 'succeeded' });
      const second = await run('secret-one', 't2.txt');
      expect(second).toMatchObject({ status: 'failed', error: expect.stringMatching(/^budget: the API token used \d+ tokens today \(SANDBOXD_BUDGET_TOKEN_DAILY_TOKENS\)$/) });
      const other = await run('secret-two', 't3.txt');
      expect(other, JSON.stringify(other)).toMatchObject({ status: 'succeeded' });
    } finally {
      await d3.dispose();
    }
  });
});

describe('key_in_sandbox (the weaker, old way)', () => {
  it('puts the key in the agent env and talks to the provider directly', async () => {
    const direct = await startModelServer();
    const d2 = await startTestDaemon({ env: { SANDBOXD_EGRESS_ALLOW_HOST_PORTS: String(direct.port) } });
    try {
      const id = uniqueId('gw-k');
      expect((await d2.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
      const r = await d2.api('POST', `/v1/sandboxes/${id}/tasks`, {
        prompt: prompt('k.txt'), agent: 'claude-code', model: 'claude-sonnet-4-5', base_url: direct.containerUrl, env: { ANTHROPIC_API_KEY: KEY }, key_in_sandbox: true,
      });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ key_in_sandbox: true, usage: null });
      const task = await until(async () => {
        const t = (await d2.api('GET', `/v1/sandboxes/${id}/tasks/${r.body.id}`)).body;
        return t.status !== 'running' && t;
      }, 'the task to end');
      expect(task.status).toBe('succeeded');
      expect(direct.requests.some((q) => q.apiKey === KEY)).toBe(true);
    } finally {
      await d2.dispose();
      await direct.close();
    }
  });
});
