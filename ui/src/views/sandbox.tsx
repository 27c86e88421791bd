/** One sandbox: its state and lifecycle actions, and tabs for the overview, terminal, tasks and files. */
import { SandboxedError, type SandboxInfo } from '@sandboxed/sdk';
import { useEffect } from 'preact/hooks';
import { client } from '../api';
import { useLoad } from '../hooks';
import { watchSandboxes } from '../live';
import { ConfirmButton } from '../parts/confirm';
import { Empty, ErrorNote, Loading } from '../parts/notice';
import { Status } from '../parts/status';
import { href, navigate } from '../router';
import { FilesView } from './files';
import { Overview } from './overview';
import { TasksView } from './tasks';
import { TerminalView } from './terminal';

const TABS = [
  ['overview', 'Overview'],
  ['terminal', 'Terminal'],
  ['tasks', 'Agent tasks'],
  ['files', 'Files'],
] as const;

function Actions({ info, changed }: { info: SandboxInfo; changed: () => void }) {
  const sb = client.sandbox(info.id);
  const up = info.status === 'running' || info.status === 'starting';
  return (
    <div class="actions" aria-label="Sandbox actions">
      {up ? (
        <ConfirmButton label="Stop" title={`Stop ${info.id}?`} action={async () => (await sb.stop(), changed())}>
          <p>The container stops; the workspace stays. A request to one of its previews, or Start, wakes it.</p>
        </ConfirmButton>
      ) : (
        <ConfirmButton label="Start" title={`Start ${info.id}?`} verb="Start" action={async () => (await sb.start(), changed())}>
          <p>The container starts again with its workspace and services.</p>
        </ConfirmButton>
      )}
      <ConfirmButton label="Delete" danger title={`Delete ${info.id}?`} action={async () => (await sb.delete(), navigate())}>
        <p>The container is removed; the workspace is kept, and creating a sandbox with the same id picks it up again.</p>
      </ConfirmButton>
      <ConfirmButton label="Purge" danger confirmText={info.id} title={`Purge ${info.id} and its workspace?`} action={async () => (await sb.purge(), navigate())}>
        <p>The container, the workspace and its snapshots are removed for good (templates stay).</p>
      </ConfirmButton>
    </div>
  );
}

export function SandboxPage({ id, tab, sub }: { id: string; tab: string; sub: string | undefined }) {
  const sandbox = useLoad(async () => (await client.sandboxes.get(id)).info!, [id]);
  useEffect(() => watchSandboxes((changed) => (changed === null || changed === id) && void sandbox.reload()), [sandbox.reload, id]);
  const info = sandbox.data;
  if (info === undefined) {
    if (sandbox.error instanceof SandboxedError && sandbox.error.status === 404) {
      return (
        <Empty title={`There is no sandbox named ${id}.`}>
          <a href={href()}>Back to the sandboxes</a>
        </Empty>
      );
    }
    if (sandbox.error !== undefined) return <ErrorNote title={`Could not read ${id}`} error={sandbox.error} retry={() => void sandbox.reload()} />;
    return <Loading label={`Loading ${id}…`} />;
  }
  const changed = () => void sandbox.reload();
  return (
    <section aria-labelledby="sandbox-title">
      <div class="title-row">
        <h1 id="sandbox-title">
          <span class="muted">Sandbox</span> {info.id} <Status value={info.status} />
        </h1>
        <Actions info={info} changed={changed} />
      </div>
      {info.last_error && (
        <p class="note error" role="alert">
          {info.last_error}
        </p>
      )}
      <nav class="tabs" aria-label="Sandbox sections">
        {TABS.map(([key, label]) => (
          <a key={key} href={key === 'overview' ? href('s', id) : href('s', id, key)} aria-current={tab === key ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {tab === 'overview' && <Overview info={info} changed={changed} />}
      {tab === 'terminal' && <TerminalView id={id} session={sub} running={info.status === 'running'} />}
      {tab === 'tasks' && <TasksView id={id} taskId={sub} />}
      {tab === 'files' && <FilesView id={id} />}
      {!TABS.some(([key]) => key === tab) && <Empty title="There is no such section." />}
    </section>
  );
}
