/**
 * The one way normalisers change AgentState. The state is rewritten to SQLite
 * with every batch of output and reloaded after a restart, and everything in
 * it comes from lines the tenant can write, so each field is capped here, as
 * it is set, and the state is changed in place (the follower owns it).
 *
 * Bound on the whole state, before JSON escaping: two texts of 64 Ki
 * characters, 1000 paths of 512, 64 open tools of 256 + 256 + 4 Ki, one error
 * of 2000 and a session id of 256 characters: under 1 Mi characters, whatever
 * the agent (or the tenant) writes. It is rewritten with every batch, so this
 * bound is also what one batch may have to serialise.
 */
import type { AgentState } from '../../domain/task.js';
import { OUTPUT_SUMMARY_CHARS, obj, str, truncate } from './common.js';

/** turnText and finalText: an answer longer than this is not read by anyone whole; the events keep it. */
export const MAX_STATE_TEXT_CHARS = 64 * 1024;
export const TEXT_CUT_MARKER = `\n… [cut at ${MAX_STATE_TEXT_CHARS} characters]`;
/** Open tool calls kept; a real agent has a handful at a time (parallel calls: tens), so the oldest are dropped first. */
export const MAX_OPEN_TOOLS = 64;
/** An open tool's input is kept for its completion event while its JSON is this small; else only its paths. */
export const MAX_TOOL_INPUT_CHARS = 4096;
/** filesChanged stops growing here and says so (files_changed_truncated). */
export const MAX_FILES_CHANGED = 1000;
/** A changed file's path as listed: longer ones are cut (PATH_MAX is 4096; real ones are far shorter). */
export const MAX_PATH_CHARS = 512;
/** Tool call ids, tool names: real ones are tens of characters. A longer session id is ignored, never cut. */
export const MAX_ID_CHARS = 256;

/** Input keys that name the file a tool changes: kept even when the rest of the input is not. */
const PATH_KEYS = ['file_path', 'notebook_path', 'filePath'];

function cut(text: string): string {
  return text.length <= MAX_STATE_TEXT_CHARS ? text : text.slice(0, MAX_STATE_TEXT_CHARS) + TEXT_CUT_MARKER;
}

export function setFinalText(state: AgentState, text: string): void {
  state.finalText = cut(text);
}

/** Appends to the turn's text; once cut, the turn takes nothing more. */
export function appendTurnText(state: AgentState, text: string): void {
  if (state.turnText.length > MAX_STATE_TEXT_CHARS) return;
  state.turnText = cut(state.turnText + text.slice(0, MAX_STATE_TEXT_CHARS + 1));
}

export function setSession(state: AgentState, id: string | null): void {
  if (id && id.length <= MAX_ID_CHARS) state.sessionId = id;
}

/** A tool call id or name as events and the state carry it. */
export function shortId(id: string): string {
  return id.length <= MAX_ID_CHARS ? id : id.slice(0, MAX_ID_CHARS);
}

export function shortPath(p: string): string {
  return truncate(p, MAX_PATH_CHARS);
}

function keptInput(input: unknown): unknown {
  if ((JSON.stringify(input) ?? '').length <= MAX_TOOL_INPUT_CHARS) return input;
  const o = obj(input) ?? {};
  const kept: Record<string, unknown> = { truncated: true };
  for (const k of PATH_KEYS) {
    const p = str(o[k]);
    if (p !== null) kept[k] = shortPath(p);
  }
  return kept;
}

/** Records a started tool call; past the cap the oldest open call is forgotten. */
export function openTool(state: AgentState, id: string, name: string, input: unknown): void {
  if (!Object.hasOwn(state.tools, id)) {
    // Insertion order, except that integer-like ids come first: the bound holds either way.
    const ids = Object.keys(state.tools);
    for (let i = 0; i <= ids.length - MAX_OPEN_TOOLS; i++) delete state.tools[ids[i]];
  }
  // Defined, not assigned: an id of "__proto__" is a key like any other.
  Object.defineProperty(state.tools, id, { value: { name, input: keptInput(input) }, enumerable: true, writable: true, configurable: true });
}

export function isOpenTool(state: AgentState, id: string): boolean {
  return Object.hasOwn(state.tools, id);
}

export function closeTool(state: AgentState, id: string): { name: string; input: unknown } | undefined {
  const started = Object.hasOwn(state.tools, id) ? state.tools[id] : undefined;
  delete state.tools[id];
  return started;
}

export function addFile(state: AgentState, p: string): void {
  if (state.filesChanged.includes(p)) return;
  if (state.filesChanged.length >= MAX_FILES_CHANGED) state.filesTruncated = true;
  else state.filesChanged.push(p);
}

/**
 * Brings a state read back from the store within the caps (one persisted
 * before they existed may be far larger); changes it in place.
 */
export function boundState(state: AgentState): AgentState {
  state.turnText = cut(state.turnText ?? '');
  state.finalText = cut(state.finalText ?? '');
  if (state.sessionId && state.sessionId.length > MAX_ID_CHARS) state.sessionId = null;
  state.filesChanged = (state.filesChanged ?? []).slice(0, MAX_FILES_CHANGED).map(shortPath);
  state.filesTruncated ??= false;
  state.eventCount ??= 0;
  const tools = Object.entries(state.tools ?? {}).slice(-MAX_OPEN_TOOLS);
  state.tools = {};
  for (const [id, t] of tools) openTool(state, shortId(id), shortId(t.name), t.input);
  if (state.error) state.error.message = state.error.message.slice(0, OUTPUT_SUMMARY_CHARS);
  return state;
}
