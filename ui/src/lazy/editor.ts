/** CodeMirror 6 for the files view (loaded on demand: its own chunk). Tab is not trapped: Esc then Tab leaves the editor. */
import { css } from '@codemirror/lang-css';
import { html } from '@codemirror/lang-html';
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import { markdown } from '@codemirror/lang-markdown';
import { python } from '@codemirror/lang-python';
import type { Extension } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { basicSetup, EditorView } from 'codemirror';

function language(name: string): Extension[] {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (['js', 'mjs', 'cjs', 'jsx'].includes(ext)) return [javascript({ jsx: true })];
  if (['ts', 'mts', 'cts', 'tsx'].includes(ext)) return [javascript({ jsx: ext === 'tsx', typescript: true })];
  if (ext === 'json') return [json()];
  if (['html', 'htm'].includes(ext)) return [html()];
  if (ext === 'css') return [css()];
  if (ext === 'py') return [python()];
  if (['md', 'markdown'].includes(ext)) return [markdown()];
  return [];
}

export interface EditorHandle {
  text(): string;
  focus(): void;
  dispose(): void;
}

export function mountEditor(el: HTMLElement, name: string, text: string, on: { change(): void; save(): void }): EditorHandle {
  const view = new EditorView({
    parent: el,
    doc: text,
    extensions: [
      basicSetup,
      ...language(name),
      keymap.of([{ key: 'Mod-s', preventDefault: true, run: () => (on.save(), true) }]),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) on.change();
      }),
      EditorView.contentAttributes.of({ 'aria-label': `Contents of ${name}` }),
    ],
  });
  return { text: () => view.state.doc.toString(), focus: () => view.focus(), dispose: () => view.destroy() };
}
