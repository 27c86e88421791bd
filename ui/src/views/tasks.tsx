/**
 * Agent tasks: start one (agent, model, prompt, the model key as a task
 * variable that is never stored), follow it, cancel it, undo it.
 */
import type { CreateTaskInput, TaskInfo } from '@sandboxed/sdk';
import { useState } from 'preact/hooks';
import { client, errorText } from '../api';
import { ago, duration } from '../format';
import { useLoad } from '../hooks';
import { ConfirmButton } from '../parts/confirm';
import { Empty, ErrorNote, Loading } from '../parts/notice';
import { Status } from '../parts/status';
import { href, navigate } from '../router';
import { TaskRun } from './task-events';

const KEY_NAME: Record<string, string> = { opencode: 'OPENAI_API_KEY', 'claude-code': 'ANTHROPIC_API_KEY' };
const running = (t: TaskInfo) => t.status === 'queued' || t.status === 'running';

/** The last task's agent, model and endpoint (never its key), kept for this tab so the next run starts from them. */
const REMEMBERED = 'sandboxed.task-form';
type Remembered = { agent: string; model: string; base_url: string; key_name: string };

function remembered(): Partial<Remembered> {
  try {
    return JSON.parse(sessionStorage.getItem(REMEMBERED) ?? '{}') as Partial<Remembered>;
  } catch {
    return {};
  }
}

function StartTask({ id, started }: { id: string; started: (t: TaskInfo) => void }) {
  const [f, setF] = useState({ agent: 'opencode', model: '', base_url: '', key_name: KEY_NAME.opencode, key: '', prompt: '', timeout_s: '', ...remembered() });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (name: keyof typeof f) => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement).value;
    setF(name === 'agent' ? { ...f, agent: value, key_name: KEY_NAME[value] ?? f.key_name } : { ...f, [name]: value });
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const input: CreateTaskInput = {
      agent: f.agent as CreateTaskInput['agent'],
      prompt: f.prompt,
      ...(f.model.trim() ? { model: f.model.trim() } : {}),
      ...(f.base_url.trim() ? { base_url: f.base_url.trim() } : {}),
      ...(f.key ? { env: { [f.key_name.trim()]: f.key } } : {}),
      ...(f.timeout_s.trim() ? { timeout_s: Number(f.timeout_s) } : {}),
    };
    try {
      const t = await client.sandbox(id).tasks.run(input).started;
      const keep: Remembered = { agent: f.agent, model: f.model, base_url: f.base_url, key_name: f.key_name };
      sessionStorage.setItem(REMEMBERED, JSON.stringify(keep));
      setF({ ...f, prompt: '' });
      started(t);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} aria-label="Start an agent task">
      <div class="grid3">
        <label>
          Agent
          <select value={f.agent} onChange={set('agent')}>
            <option value="opencode">OpenCode</option>
            <option value="claude-code">Claude Code</option>
          </select>
        </label>
        <label>
          Model <span class="muted small">(optional)</span>
          <input value={f.model} onInput={set('model')} placeholder={f.agent === 'opencode' ? 'provider/model' : 'claude-sonnet-4-5'} autocomplete="off" spellcheck={false} />
        </label>
        <label>
          Timeout (s) <span class="muted small">(optional)</span>
          <input value={f.timeout_s} onInput={set('timeout_s')} type="number" min={1} />
        </label>
      </div>
      <div class="grid3">
        <label>
          Model endpoint <span class="muted small">(optional base URL)</span>
          <input value={f.base_url} onInput={set('base_url')} type="url" placeholder="https://…" autocomplete="off" spellcheck={false} />
        </label>
        <label>
          Key variable
          <input value={f.key_name} onInput={set('key_name')} autocomplete="off" spellcheck={false} />
        </label>
        <label>
          Key <span class="muted small">(for this task only; never stored)</span>
          <input value={f.key} onInput={set('key')} type="password" autocomplete="off" />
        </label>
      </div>
      <label>
        Prompt
        <textarea value={f.prompt} onInput={set('prompt')} rows={4} required />
      </label>
      {error && (
        <p class="note error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy || f.prompt.trim() === ''}>
          {busy ? 'Starting…' : 'Run the agent'}
        </button>
      </div>
    </form>
  );
}

function TaskDetail({ id, task, changed }: { id: string; task: TaskInfo; changed: () => void }) {
  const handle = client.sandbox(id).tasks.get(task.id);
  const [force, setForce] = useState(false);
  return (
    <section class="panel wide" aria-labelledby="task-title">
      <div class="title-row">
        <h2 id="task-title">
          {task.agent} task <Status value={task.status} />
        </h2>
        <div class="actions">
          {running(task) && (
            <ConfirmButton label="Cancel task" verb="Stop the agent" danger title="Cancel this task?" action={async () => (await handle.cancel(), changed())}>
              <p>The agent's processes are stopped; what it changed so far stays (undo puts it back).</p>
            </ConfirmButton>
          )}
          {!running(task) && task.checkpoint_id && (
            <ConfirmButton label="Undo" title="Undo this task?" action={async () => (await handle.undo({ force }), changed())}>
              <p>The workspace goes back to how it was right before the agent started. What it has now is kept as a snapshot.</p>
              <label class="check">
                <input type="checkbox" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} /> Even if a later task ran since
              </label>
            </ConfirmButton>
          )}
        </div>
      </div>
      {task.error && (
        <p class="note error" role="alert">
          {task.error}
        </p>
      )}
      <TaskRun id={id} task={task} ended={changed} />
    </section>
  );
}

export function TasksView({ id, taskId }: { id: string; taskId: string | undefined }) {
  const tasks = useLoad(() => client.sandbox(id).tasks.list(), [id]);
  const list = tasks.data ? [...tasks.data].reverse() : undefined;
  const selected = list?.find((t) => t.id === taskId) ?? (taskId === undefined ? list?.find(running) : undefined);
  return (
    <div class="panels">
      <section class="panel wide" aria-labelledby="start-title">
        <h2 id="start-title">Run an agent</h2>
        <StartTask id={id} started={(t) => (navigate('s', id, 'tasks', t.id), void tasks.reload())} />
      </section>
      {selected && <TaskDetail key={selected.id} id={id} task={selected} changed={() => void tasks.reload()} />}
      <section class="panel wide" aria-labelledby="tasks-title">
        <h2 id="tasks-title">Tasks</h2>
        {tasks.error !== undefined && <ErrorNote title="Could not list the tasks" error={tasks.error} retry={() => void tasks.reload()} />}
        {list === undefined && tasks.error === undefined && <Loading />}
        {list?.length === 0 && <Empty title="No agent has run here yet" />}
        {list !== undefined && list.length > 0 && (
          <ul class="task-list">
            {list.map((t) => (
              <li key={t.id} aria-current={t.id === selected?.id ? 'true' : undefined}>
                <a href={href('s', id, 'tasks', t.id)}>
                  <Status value={t.status} /> <span class="prompt-line">{t.prompt}</span>
                </a>
                <span class="muted small">
                  {t.agent}, {ago(t.created_at)}, {duration(t.started_at, t.ended_at)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
