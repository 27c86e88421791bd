/** A sandbox's snapshots: take one, restore one (what it replaces is kept), mark a template, delete. */
import { useState } from 'preact/hooks';
import { client, errorText } from '../api';
import { bytes, when } from '../format';
import { useLoad } from '../hooks';
import { ConfirmButton } from '../parts/confirm';
import { Empty, ErrorNote, Loading } from '../parts/notice';

const KIND: Record<string, string> = { manual: 'taken by hand', checkpoint: 'before an agent task', 'pre-restore': 'replaced by a restore' };

export function SnapshotsPanel({ id, changed }: { id: string; changed: () => void }) {
  const sb = client.sandbox(id);
  const list = useLoad(() => sb.snapshots.list(), [id]);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const take = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await sb.snapshots.take(name.trim() === '' ? {} : { name: name.trim() });
      setName('');
      await list.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const rows = list.data ? [...list.data].reverse() : undefined;
  return (
    <>
      <form class="inline-form" onSubmit={take}>
        <label>
          Name <span class="muted small">(optional; named snapshots are never pruned)</span>
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} maxLength={64} autocomplete="off" />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Taking…' : 'Take a snapshot'}
        </button>
      </form>
      {error && (
        <p class="note error" role="alert">
          {error}
        </p>
      )}
      {list.error !== undefined && <ErrorNote title="Could not list the snapshots" error={list.error} retry={() => void list.reload()} />}
      {rows === undefined && list.error === undefined && <Loading />}
      {rows !== undefined && rows.length === 0 && <Empty title="No snapshots yet" />}
      {rows !== undefined && rows.length > 0 && (
        <div class="table-wrap">
          <table class="cards">
            <thead>
              <tr>
                <th scope="col">Snapshot</th>
                <th scope="col">Kind</th>
                <th scope="col">Taken</th>
                <th scope="col">Size</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <th scope="row" data-label="Snapshot">
                    {s.name ?? <span class="muted">{s.id}</span>}
                    {s.template && <span class="chip">template</span>}
                  </th>
                  <td data-label="Kind">{KIND[s.kind] ?? s.kind}</td>
                  <td data-label="Taken">{when(s.created_at)}</td>
                  <td data-label="Size">{bytes(s.size_bytes)}</td>
                  <td data-label="Actions" class="row-actions">
                    <ConfirmButton label="Restore" title={`Restore ${s.name ?? s.id}?`} action={async () => (await sb.snapshots.restore(s.id), await list.reload(), changed())}>
                      <p>The workspace goes back to this snapshot; the sandbox restarts if it runs. What it has now is kept as a snapshot.</p>
                    </ConfirmButton>
                    <button type="button" onClick={() => void sb.snapshots.setTemplate(s.id, !s.template).then(list.reload, (err: unknown) => setError(errorText(err)))}>
                      {s.template ? 'Not a template' : 'Make template'}
                    </button>
                    <ConfirmButton label="Delete" danger title={`Delete snapshot ${s.name ?? s.id}?`} action={async () => (await sb.snapshots.remove(s.id), await list.reload())} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
