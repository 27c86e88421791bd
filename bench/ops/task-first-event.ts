/**
 * Agent task: POST of a task → its first event on the SSE stream, and → the
 * first event that came from the agent itself (the CLI started, reached the
 * scripted model server on the host through the model gateway and printed its first JSON line), and →
 * the terminal event. The model answers at once (test/helpers/model-server.ts),
 * so the figures are the control plane's and the CLIs' own start-up. No raw
 * counterpart: the Engine API has no notion of a task.
 */
import { Series } from '../lib/result.js';
import type { BenchGroup } from '../lib/context.js';

const RUNS = 4;

interface Timings {
  first: number;
  firstAgent: number;
  end: number;
}

async function oneTask(url: string, body: unknown, post: (b: unknown) => Promise<{ id: string }>): Promise<Timings> {
  const began = performance.now();
  const { id } = await post(body);
  const res = await fetch(`${url}/${id}/events`);
  if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
  const out: Partial<Timings> = {};
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.startsWith('data: ')) continue;
      const ev = JSON.parse(line.slice(6)) as { type: string; raw: unknown; status?: string };
      const t = performance.now() - began;
      out.first ??= t;
      if (ev.raw !== null && ev.raw !== undefined) out.firstAgent ??= t;
      if (ev.type === 'task.completed' || ev.type === 'task.failed') {
        if (ev.type === 'task.failed') throw new Error(`task failed: ${JSON.stringify(ev).slice(0, 300)}`);
        out.end = t;
      }
    }
    if (out.end !== undefined) break;
  }
  if (out.first === undefined || out.firstAgent === undefined || out.end === undefined) throw new Error('stream ended early');
  return out as Timings;
}

export const taskFirstEvent: BenchGroup = {
  name: 'task',
  async unavailable(ctx) {
    return ctx.model ? null : 'no model server';
  },
  async run(ctx) {
    const model = ctx.model!;
    const rows = [];
    for (const agent of ['opencode', 'claude-code'] as const) {
      const id = `b${ctx.tag}-task-${agent === 'opencode' ? 'oc' : 'cc'}`;
      ctx.progress(`agent task (${agent}): creating a sandbox`);
      await ctx.ours.create({ id });
      const first = new Series();
      const firstAgent = new Series();
      const end = new Series();
      const base = `${ctx.daemon.url}/v1/sandboxes/${id}/tasks`;
      const post = async (b: unknown): Promise<{ id: string }> => {
        const r = await ctx.daemon.api<{ id: string }>('POST', `/v1/sandboxes/${id}/tasks`, b);
        if (r.status !== 202) throw new Error(`POST task: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        return r.body;
      };
      try {
        for (let i = 0; i < RUNS; i++) {
          ctx.progress(`agent task (${agent}): ${i + 1}/${RUNS}`);
          const prompt = `FILE=bench-${i}.txt CONTENT=hello${i}`;
          const body =
            agent === 'opencode'
              ? { agent, prompt, model: 'scripted-model', base_url: `${model.hostUrl}/v1`, env: { OPENAI_API_KEY: 'bench-key' } }
              : { agent, prompt, model: 'claude-sonnet-4-5', base_url: model.hostUrl, env: { ANTHROPIC_API_KEY: 'bench-key' } };
          const t = await oneTask(base, body, post);
          first.add(t.first);
          firstAgent.add(t.firstAgent);
          end.add(t.end);
        }
      } finally {
        await ctx.ours.purge(id).catch(() => undefined);
      }
      const note = 'scripted model server on the host answering at once; raw: n/a (the Engine API has no tasks)';
      rows.push(
        { kind: 'latency' as const, op: `task POST → first event (${agent})`, ours: first, raw: null, note },
        { kind: 'latency' as const, op: `task POST → first agent event (${agent})`, ours: firstAgent, raw: null, note },
        { kind: 'latency' as const, op: `task POST → completed (${agent})`, ours: end, raw: null, note },
      );
    }
    return rows;
  },
};
