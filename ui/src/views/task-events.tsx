/**
 * One task's run as it happens: the agent's messages, each tool call folded
 * with its input and output, file changes and usage, then the outcome. Every
 * string here came from the agent (and so from whatever it read): text only.
 */
import type { TaskEvent, TaskInfo } from '@sandboxed/sdk';
import { useEffect, useState } from 'preact/hooks';
import { client, errorText } from '../api';
import { duration } from '../format';
import { Status } from '../parts/status';

type Tool = { id: string; name: string; input: unknown; output?: string; status?: 'ok' | 'error' };
type Item =
  | { kind: 'message'; seq: number; text: string }
  | { kind: 'tool'; seq: number; tool: Tool }
  | { kind: 'file'; seq: number; path: string; tool: string }
  | { kind: 'usage'; seq: number; input: number; output: number; cost: number }
  | { kind: 'start'; seq: number; agent: string; model: string | null }
  | { kind: 'end'; seq: number; event: Extract<TaskEvent, { type: 'task.completed' | 'task.failed' }> };

/** Events into items; a tool's completion fills in the item its start made. */
export function fold(items: Item[], ev: TaskEvent): Item[] {
  switch (ev.type) {
    case 'task.started':
      return [...items, { kind: 'start', seq: ev.seq, agent: ev.agent, model: ev.model }];
    case 'agent.message':
      return [...items, { kind: 'message', seq: ev.seq, text: ev.text }];
    case 'tool.started':
      return [...items, { kind: 'tool', seq: ev.seq, tool: { id: ev.tool_call_id, name: ev.name, input: ev.input } }];
    case 'tool.completed': {
      const done: Tool = { id: ev.tool_call_id, name: ev.name, input: ev.input, output: ev.output, status: ev.status };
      const i = items.findIndex((it) => it.kind === 'tool' && it.tool.id === ev.tool_call_id);
      if (i < 0) return [...items, { kind: 'tool', seq: ev.seq, tool: done }];
      return items.map((it, j) => (j === i ? { kind: 'tool', seq: it.seq, tool: done } : it));
    }
    case 'file.changed':
      return [...items, { kind: 'file', seq: ev.seq, path: ev.path, tool: ev.tool }];
    case 'usage':
      return [...items, { kind: 'usage', seq: ev.seq, input: ev.input_tokens, output: ev.output_tokens, cost: ev.cost_usd }];
    default:
      return [...items, { kind: 'end', seq: ev.seq, event: ev }];
  }
}

function json(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

function ItemView({ item }: { item: Item }) {
  switch (item.kind) {
    case 'start':
      return <li class="ev ev-start muted small">{`${item.agent} started${item.model ? ` with ${item.model}` : ''}`}</li>;
    case 'message':
      return <li class="ev ev-message">{item.text}</li>;
    case 'tool':
      return (
        <li class="ev ev-tool">
          <details>
            <summary>
              <span class="tool-name">{item.tool.name}</span> {item.tool.status === undefined ? <span class="muted">running…</span> : <Status value={item.tool.status === 'ok' ? 'succeeded' : 'failed'} />}
            </summary>
            <p class="muted small">Input</p>
            <pre>{json(item.tool.input)}</pre>
            {item.tool.output !== undefined && (
              <>
                <p class="muted small">Output</p>
                <pre>{item.tool.output}</pre>
              </>
            )}
          </details>
        </li>
      );
    case 'file':
      return (
        <li class="ev ev-file">
          changed <code>{item.path}</code> <span class="muted small">({item.tool})</span>
        </li>
      );
    case 'usage':
      return <li class="ev ev-usage muted small">{`${item.input} tokens in, ${item.output} out, $${item.cost.toFixed(4)}`}</li>;
    case 'end': {
      const e = item.event;
      return (
        <li class={`ev ev-end ${e.type === 'task.completed' ? 'ok' : 'bad'}`}>
          <Status value={e.status} /> {e.type === 'task.failed' && <span>{e.reason}</span>}
          {e.result.text && <p class="result">{e.result.text}</p>}
          {e.result.files_changed.length > 0 && (
            <p class="small">
              Files changed: {e.result.files_changed.join(', ')}
              {e.result.files_changed_truncated ? ' and more' : ''}
            </p>
          )}
          <p class="muted small">{`${e.result.usage.input_tokens} tokens in, ${e.result.usage.output_tokens} out, $${e.result.usage.cost_usd.toFixed(4)}`}</p>
        </li>
      );
    }
  }
}

/** Follows the task's events (replayed from the first, then live; a dropped stream resumes where it was). */
export function TaskRun({ id, task, ended }: { id: string; task: TaskInfo; ended: () => void }) {
  const [items, setItems] = useState<Item[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    setItems([]);
    setProblem(null);
    void (async () => {
      try {
        for await (const ev of client.sandbox(id).tasks.get(task.id).events({ signal: abort.signal })) {
          setItems((now) => fold(now, ev));
          if (ev.type === 'task.completed' || ev.type === 'task.failed') ended();
        }
      } catch (err) {
        if (!abort.signal.aborted) setProblem(errorText(err));
      }
    })();
    return () => abort.abort();
  }, [id, task.id]);
  return (
    <div class="task-run">
      <p class="prompt">
        <span class="muted small">Prompt</span>
        <span class="block">{task.prompt}</span>
      </p>
      <ol class="events" aria-live="polite" aria-label="Task events">
        {items.map((it) => (
          <ItemView key={it.seq} item={it} />
        ))}
      </ol>
      {items.length === 0 && !problem && <p class="muted">Waiting for the agent…</p>}
      {problem && (
        <p class="note error" role="alert">
          The event stream stopped: {problem}
        </p>
      )}
      <p class="muted small">{task.started_at ? `Ran ${duration(task.started_at, task.ended_at)}` : 'Not started yet'}</p>
    </div>
  );
}
