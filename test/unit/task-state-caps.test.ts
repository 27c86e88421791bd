/**
 * The normalisers' state stays small whatever the lines say: a table of
 * hostile lines for each agent, each checked against its cap; and the
 * classifying regexes only ever see the first 2000 characters.
 */
import { describe, expect, it } from 'vitest';
import { initialState, type AgentState } from '../../src/domain/task.js';
import { claudeCodeAdapter } from '../../src/tasks/agents/claude-code.js';
import { CLASSIFY_CHARS, agentError, classifyError } from '../../src/tasks/agents/common.js';
import { opencodeAdapter } from '../../src/tasks/agents/opencode.js';
import {
  MAX_FILES_CHANGED,
  MAX_ID_CHARS,
  MAX_OPEN_TOOLS,
  MAX_PATH_CHARS,
  MAX_STATE_TEXT_CHARS,
  MAX_TOOL_INPUT_CHARS,
  TEXT_CUT_MARKER,
  boundState,
} from '../../src/tasks/agents/state.js';
import { resultOf } from '../../src/tasks/outcome.js';

const APP = '/home/sandbox/workspace/app';
const BIG = 'x'.repeat(MAX_STATE_TEXT_CHARS * 3);

const claude = {
  text: (text: string) => ({ type: 'assistant', message: { content: [{ type: 'text', text }] } }),
  toolUse: (id: string, input: unknown, name = 'Write') => ({ type: 'assistant', message: { content: [{ type: 'tool_use', id, name, input }] } }),
  toolResult: (id: string) => ({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: id, content: 'ok' }] } }),
  result: (result: string) => ({ type: 'result', result, usage: {} }),
  session: (session_id: string) => ({ type: 'system', subtype: 'init', session_id }),
};
const oc = {
  text: (text: string) => ({ type: 'text', part: { text } }),
  pending: (callID: string) => ({ type: 'tool_use', part: { tool: 'write', callID, state: { status: 'running', input: { filePath: 'x' } } } }),
  write: (callID: string, filePath: string) => ({ type: 'tool_use', part: { tool: 'write', callID, state: { status: 'completed', input: { filePath }, output: 'ok' } } }),
};

function feed(adapter: typeof claudeCodeAdapter, lines: unknown[], state = initialState()): AgentState {
  for (const line of lines) adapter.normalize(state, line);
  return state;
}

const stateChars = (s: AgentState) => JSON.stringify(s).length;

describe('agent state caps', () => {
  it.each([
    ['claude: an answer longer than the cap', () => feed(claudeCodeAdapter, [claude.text(BIG)]).finalText],
    ['claude: a result longer than the cap', () => feed(claudeCodeAdapter, [claude.result(BIG)]).finalText],
    ['opencode: one long text part', () => feed(opencodeAdapter, [oc.text(BIG)]).finalText],
    ['opencode: many parts of one turn', () => feed(opencodeAdapter, Array.from({ length: 200 }, () => oc.text('y'.repeat(1000)))).turnText],
  ])('%s is cut with a visible marker', (_name, text) => {
    const t = text();
    expect(t.length).toBe(MAX_STATE_TEXT_CHARS + TEXT_CUT_MARKER.length);
    expect(t.endsWith(TEXT_CUT_MARKER)).toBe(true);
  });

  it('keeps well-formed text whole, and a new opencode step starts a new turn', () => {
    const s = feed(opencodeAdapter, [oc.text('a'), oc.text('b'), { type: 'step_start' }, oc.text('c')]);
    expect(s).toMatchObject({ turnText: 'c', finalText: 'c' });
  });

  it.each([
    ['claude', claudeCodeAdapter, (i: number) => claude.toolUse(`toolu_${i}`, { file_path: `${APP}/f${i}` })],
    ['opencode', opencodeAdapter, (i: number) => oc.pending(`call_${i}`)],
  ] as const)('%s: open tool calls stop at the cap, the oldest dropped first', (_name, adapter, open) => {
    const s = feed(adapter, Array.from({ length: MAX_OPEN_TOOLS + 50 }, (_, i) => open(i)));
    const ids = Object.keys(s.tools);
    expect(ids).toHaveLength(MAX_OPEN_TOOLS);
    expect(ids[0]).toMatch(/_50$/);
    expect(ids.at(-1)).toMatch(new RegExp(`_${MAX_OPEN_TOOLS + 49}$`));
  });

  it('keeps a big tool input only by its path, and still reports the file changed', () => {
    const s = initialState();
    claudeCodeAdapter.normalize(s, claude.toolUse('t1', { file_path: `${APP}/big.txt`, content: 'c'.repeat(1999), more: Array.from({ length: 100 }, () => 'z'.repeat(1999)) }));
    expect(s.tools.t1.input).toEqual({ truncated: true, file_path: `${APP}/big.txt` });
    const out = claudeCodeAdapter.normalize(s, claude.toolResult('t1'));
    expect(out.events.map((e) => e.type)).toEqual(['tool.completed', 'file.changed']);
    expect(s.filesChanged).toEqual(['big.txt']);
    expect(JSON.stringify(s.tools)).toBe('{}');
  });

  it('keeps a small tool input whole for the completion event', () => {
    const s = initialState();
    const input = { file_path: `${APP}/a.txt`, content: 'hello' };
    claudeCodeAdapter.normalize(s, claude.toolUse('t1', input));
    expect(claudeCodeAdapter.normalize(s, claude.toolResult('t1')).events[0]).toMatchObject({ input });
    expect(JSON.stringify(input).length).toBeLessThan(MAX_TOOL_INPUT_CHARS);
  });

  it.each([
    ['claude', claudeCodeAdapter, (i: number) => [claude.toolUse(`t${i}`, { file_path: `${APP}/f${i}.txt` }), claude.toolResult(`t${i}`)]],
    ['opencode', opencodeAdapter, (i: number) => [oc.write(`c${i}`, `${APP}/f${i}.txt`)]],
  ] as const)('%s: files_changed stops at the cap and the result says it was truncated', (_name, adapter, change) => {
    const s = feed(adapter, Array.from({ length: MAX_FILES_CHANGED + 10 }, (_, i) => change(i)).flat());
    expect(s.filesChanged).toHaveLength(MAX_FILES_CHANGED);
    expect(s.filesChanged.at(-1)).toBe(`f${MAX_FILES_CHANGED - 1}.txt`);
    expect(resultOf(s)).toMatchObject({ files_changed_truncated: true });
    expect(resultOf(feed(adapter, change(1))).files_changed_truncated).toBe(false);
  });

  it('cuts long paths, tool ids and names; ignores a session id no agent would send', () => {
    const longId = 'i'.repeat(MAX_ID_CHARS * 10);
    const s = feed(claudeCodeAdapter, [claude.session(longId), claude.toolUse(longId, { file_path: `${APP}/${'p'.repeat(10_000)}` })]);
    expect(s.sessionId).toBeNull();
    const [[id]] = Object.entries(s.tools);
    expect(id).toHaveLength(MAX_ID_CHARS);
    const out = claudeCodeAdapter.normalize(s, claude.toolResult(longId));
    expect(out.events.map((e) => e.type)).toEqual(['tool.completed', 'file.changed']);
    expect(out.events[0]).toMatchObject({ tool_call_id: id, name: 'Write' });
    expect(s.filesChanged[0].length).toBeLessThan(MAX_PATH_CHARS + 40);
    expect(out.events[1]).toMatchObject({ path: s.filesChanged[0] });
    const named = feed(claudeCodeAdapter, [claude.toolUse('t', {}, 'N'.repeat(10_000))]);
    expect(named.tools.t.name).toHaveLength(MAX_ID_CHARS);
    expect(feed(claudeCodeAdapter, [claude.session('abc')]).sessionId).toBe('abc');
  });

  it('treats a tool id of "__proto__" as an ordinary key', () => {
    const s = feed(claudeCodeAdapter, [claude.toolUse('__proto__', { file_path: `${APP}/p.txt` })]);
    expect(Object.keys(s.tools)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(s.tools)).toBe(Object.prototype);
    const out = claudeCodeAdapter.normalize(s, claude.toolResult('__proto__'));
    expect(out.events[0]).toMatchObject({ name: 'Write' });
    expect(Object.keys(s.tools)).toEqual([]);
  });

  it('stays under its documented bound (1 Mi characters) after a hostile run of every kind', () => {
    const s = initialState();
    for (let i = 0; i < 2000; i++) {
      const id = `${i}${'t'.repeat(300)}`;
      // An input just under the size kept whole, so every open tool keeps all of it.
      claudeCodeAdapter.normalize(s, claude.toolUse(id, { file_path: `${APP}/${i}${'d'.repeat(600)}`, blob: 'b'.repeat(1990), more: 'm'.repeat(MAX_TOOL_INPUT_CHARS - 2800) }));
      if (i % 2 === 0) claudeCodeAdapter.normalize(s, claude.toolResult(id));
    }
    expect(s.filesChanged).toHaveLength(MAX_FILES_CHANGED);
    expect(Object.keys(s.tools)).toHaveLength(MAX_OPEN_TOOLS);
    claudeCodeAdapter.normalize(s, claude.text(BIG));
    claudeCodeAdapter.normalize(s, { type: 'assistant', error: 'x', message: { content: [{ type: 'text', text: BIG }] } });
    expect(stateChars(s)).toBeLessThan(1024 * 1024);
    expect(stateChars(s)).toBeGreaterThan(0.7 * 1024 * 1024);
  });

  it('bounds a bloated state read back from the store', () => {
    const bloated = {
      ...initialState(),
      finalText: BIG,
      turnText: BIG,
      sessionId: BIG,
      filesChanged: Array.from({ length: 5000 }, (_, i) => `${'f'.repeat(2000)}${i}`),
      tools: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`t${i}`, { name: 'Write', input: { content: BIG } }])),
    } as AgentState;
    delete (bloated as Partial<AgentState>).eventCount;
    const s = boundState(bloated);
    expect(s.finalText.endsWith(TEXT_CUT_MARKER)).toBe(true);
    expect(s.sessionId).toBeNull();
    expect(s.filesChanged).toHaveLength(MAX_FILES_CHANGED);
    expect(Object.keys(s.tools)).toHaveLength(MAX_OPEN_TOOLS);
    expect(s.eventCount).toBe(0);
    expect(stateChars(s)).toBeLessThan(1024 * 1024);
  });
});

describe('error classification on tenant text', () => {
  it.each([
    ['a key error at the start', 'Invalid API key', null, 'auth'],
    ['a key error past the first 2000 characters', `${' '.repeat(10)}${'.'.repeat(CLASSIFY_CHARS)} invalid api key`, null, 'api'],
    ['a refused connection within the first 2000', `${'.'.repeat(CLASSIFY_CHARS - 40)} ECONNREFUSED`, null, 'unreachable'],
    ['a status that says it all', 'z'.repeat(5_000_000), 401, 'auth'],
  ])('%s', (_name, message, status, kind) => {
    expect(classifyError(message, status)).toBe(kind);
  });

  it('keeps at most 2000 characters of an agent error', () => {
    const e = agentError(`Connection refused ${'x'.repeat(1_000_000)}`);
    expect(e).toMatchObject({ kind: 'unreachable' });
    expect(e.message).toHaveLength(2000);
  });
});
