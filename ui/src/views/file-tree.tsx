/** A directory tree, read a level at a time as folders open. Names are the tenant's: shown as text. */
import type { FileEntry } from '@sandboxed/sdk';
import { useEffect, useState } from 'preact/hooks';
import { client, errorText } from '../api';

/** Entries shown per folder; the rest is said, not shown (a tenant can make millions). */
const PAGE = 500;

/** Folders first, then by name. */
function byKindThenName(a: FileEntry, b: FileEntry): number {
  const da = a.type === 'directory';
  const db = b.type === 'directory';
  return da === db ? a.name.localeCompare(b.name) : da ? -1 : 1;
}

function Folder({ id, path, selected, select, reloadKey }: { id: string; path: string; selected: string | null; select: (e: FileEntry) => void; reloadKey: number }) {
  const [entries, setEntries] = useState<FileEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let gone = false;
    client
      .sandbox(id)
      .files.list(path, { limit: PAGE })
      .then(
        (page) => {
          if (gone) return;
          setEntries([...page.entries].sort(byKindThenName));
          setMore(page.next_cursor !== undefined || page.truncated);
          setError(null);
        },
        (err: unknown) => gone || setError(errorText(err)),
      );
    return () => {
      gone = true;
    };
  }, [id, path, reloadKey]);
  if (error) return <p class="note error small">{error}</p>;
  if (entries === null) return <p class="muted small">Loading…</p>;
  if (entries.length === 0) return <p class="muted small">(empty)</p>;
  return (
    <ul>
      {entries.map((e) => (
        <Entry key={e.path} id={id} entry={e} selected={selected} select={select} reloadKey={reloadKey} />
      ))}
      {more && <li class="muted small">More entries are not shown (at most {PAGE} per folder).</li>}
    </ul>
  );
}

function Entry({ id, entry, selected, select, reloadKey }: { id: string; entry: FileEntry; selected: string | null; select: (e: FileEntry) => void; reloadKey: number }) {
  const [open, setOpen] = useState(false);
  if (entry.type === 'directory') {
    return (
      <li>
        <button type="button" class="tree-item dir" aria-expanded={open} onClick={() => (setOpen(!open), select(entry))}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> {entry.name}
        </button>
        {open && <Folder id={id} path={entry.path} selected={selected} select={select} reloadKey={reloadKey} />}
      </li>
    );
  }
  return (
    <li>
      <button type="button" class="tree-item" aria-current={selected === entry.path ? 'true' : undefined} onClick={() => select(entry)} disabled={entry.type !== 'file'} title={entry.type === 'file' ? undefined : `${entry.type}: not opened`}>
        {entry.name}
      </button>
    </li>
  );
}

export function FileTree(props: { id: string; root: string; selected: string | null; select: (e: FileEntry) => void; reloadKey: number }) {
  return (
    <nav class="tree" aria-label="Files">
      <Folder id={props.id} path={props.root} selected={props.selected} select={props.select} reloadKey={props.reloadKey} />
    </nav>
  );
}
