/**
 * A sandbox's files (served from the host: works while it sleeps): a tree,
 * CodeMirror (loaded on demand) for text files, upload into the folder at
 * hand, download, delete. Files past EDIT_MAX or not UTF-8 are download-only.
 */
import type { FileEntry } from '@sandboxed/sdk';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client, errorText } from '../api';
import { bytes } from '../format';
import { ConfirmButton } from '../parts/confirm';
import { Loading } from '../parts/notice';
import type { EditorHandle } from '../lazy/editor';
import { FileTree } from './file-tree';

const ROOT = '/home/sandbox/workspace/app';
const EDIT_MAX = 2 * 1024 * 1024;

const parentOf = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';

/** The file's text, or null when it is not text an editor should hold. */
function asText(data: Uint8Array): string | null {
  if (data.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return null;
  }
}

async function download(id: string, entry: FileEntry): Promise<void> {
  const data = await client.sandbox(id).files.readBytes(entry.path);
  const url = URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = entry.name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Editor({ id, entry, changed }: { id: string; entry: FileEntry; changed: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  const editor = useRef<EditorHandle | null>(null);
  // 'loading', 'ready', 'binary', 'large', or why it could not be read.
  const [state, setState] = useState<string>('loading');
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const save = async () => {
    if (!editor.current) return;
    setSaved('Saving…');
    try {
      const r = await client.sandbox(id).files.writeText(entry.path, editor.current.text());
      setDirty(false);
      setSaved(`Saved (${bytes(r.size)})`);
    } catch (err) {
      setSaved(`Not saved: ${errorText(err)}`);
    }
  };
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    let gone = false;
    setDirty(false);
    setSaved(null);
    if (entry.size > EDIT_MAX) return setState('large');
    setState('loading');
    void Promise.all([client.sandbox(id).files.readBytes(entry.path), import('../lazy/editor')]).then(
      ([data, { mountEditor }]) => {
        if (gone || !box.current) return;
        const text = asText(data);
        if (text === null) return setState('binary');
        setState('ready');
        editor.current = mountEditor(box.current, entry.name, text, { change: () => setDirty(true), save: () => void saveRef.current() });
      },
      (err: unknown) => gone || setState(errorText(err)),
    );
    return () => {
      gone = true;
      editor.current?.dispose();
      editor.current = null;
    };
  }, [id, entry.path]);
  return (
    <section class="file-pane" aria-label={`File ${entry.path}`}>
      <div class="title-row">
        <h2 class="path">{entry.path.replace('/home/sandbox/', '~/')}</h2>
        <div class="actions">
          <button type="button" class="primary" disabled={!dirty || state !== 'ready'} onClick={() => void save()}>
            Save
          </button>
          <button type="button" onClick={() => void download(id, entry).catch((err: unknown) => setSaved(errorText(err)))}>
            Download
          </button>
          <ConfirmButton label="Delete" danger title={`Delete ${entry.name}?`} action={async () => (await client.sandbox(id).files.remove(entry.path), changed())} />
        </div>
      </div>
      <p class="muted small" role="status">
        {saved ?? (dirty ? 'Changed (Ctrl+S saves)' : `${bytes(entry.size)}`)}
      </p>
      {state === 'loading' && <Loading label="Opening…" />}
      {state === 'binary' && <p class="note">This is not a text file: download it instead.</p>}
      {state === 'large' && <p class="note">This file is over {bytes(EDIT_MAX)}: download it instead.</p>}
      {!['loading', 'ready', 'binary', 'large'].includes(state) && (
        <p class="note error" role="alert">
          {state}
        </p>
      )}
      <div class="editor" ref={box} hidden={state !== 'ready'} />
    </section>
  );
}

export function FilesView({ id }: { id: string }) {
  const [selected, setSelected] = useState<FileEntry | null>(null);
  const [folder, setFolder] = useState(ROOT);
  const [reloadKey, setReloadKey] = useState(0);
  const [note, setNote] = useState<string | null>(null);
  const upload = useRef<HTMLInputElement>(null);
  const refresh = () => setReloadKey((k) => k + 1);
  const select = (e: FileEntry) => {
    if (e.type === 'directory') return setFolder(e.path);
    setFolder(parentOf(e.path));
    setSelected(e);
  };
  const sendFiles = async (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      setNote(`Uploading ${file.name}…`);
      try {
        await client.sandbox(id).files.upload(`${folder}/${file.name}`, file);
        setNote(`Uploaded ${file.name} to ${folder.replace('/home/sandbox/', '~/')}`);
      } catch (err) {
        setNote(`${file.name} was not uploaded: ${errorText(err)}`);
      }
    }
    if (upload.current) upload.current.value = '';
    refresh();
  };
  return (
    <div class="files">
      <div class="files-side">
        <div class="actions">
          <label class="button">
            Upload to {folder === ROOT ? 'app' : (folder.split('/').pop() ?? folder)}
            <input ref={upload} type="file" multiple class="visually-hidden" onChange={(e) => void sendFiles(e.currentTarget.files)} />
          </label>
          <button type="button" onClick={refresh}>
            Refresh
          </button>
        </div>
        {note && (
          <p class="muted small" role="status">
            {note}
          </p>
        )}
        <p class="muted small">~/workspace/app</p>
        <FileTree id={id} root={ROOT} selected={selected?.path ?? null} select={select} reloadKey={reloadKey} />
      </div>
      {selected ? (
        <Editor key={selected.path} id={id} entry={selected} changed={() => (setSelected(null), refresh())} />
      ) : (
        <div class="empty">
          <p class="empty-title">Pick a file to open it</p>
          <p class="muted">Files are read from the host: this works while the sandbox sleeps, and does not wake it.</p>
        </div>
      )}
    </div>
  );
}
